package dev.valley.api.auth;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who submits: the name a token entry gives ({@code name=}, or {@code token-} and the first 8 hex digits of the
 * token's SHA-256 where it gives none) and its quotas, null where it sets none. Entries of one name share their
 * quotas' counts (a person's read and submit tokens, say).
 *
 * @param maxQueued at most this many of the caller's jobs not yet running (queued or waiting for their inputs); a
 *     submission beyond is a 429
 * @param maxRunning at most this many of the caller's jobs running at once (a grid with all its tiles counts as one);
 *     the others wait in the queue, their dispatches held back until one ends
 */
public record Caller(String name, @Nullable Integer maxQueued, @Nullable Integer maxRunning) {

    /** The caller of the request this thread serves, when it presented a token (none in the open mode). */
    public static Optional<Caller> current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof BearerToken token ? Optional.ofNullable(token.caller()) : Optional.empty();
    }
}
