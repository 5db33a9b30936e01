package dev.valley.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured bearer tokens. Only SHA-256 digests are kept, and a presented token is compared with every one of
 * them in constant time, so neither a heap dump nor response timing gives a token away.
 */
final class Tokens {
    static final int MIN_LENGTH = 16;

    private record Entry(byte[] digest, Role role) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** From {@code role:token} entries; a wrong entry stops the start with what is wrong, never the token itself. */
    Tokens(List<String> configured) {
        for (int i = 0; i < configured.size(); i++) {
            String entry = configured.get(i).trim();
            int colon = entry.indexOf(':');
            String where = "valley.auth.tokens[" + i + "]";
            if (colon < 0) {
                throw new IllegalStateException(where + " must be role:token (roles: read, submit, admin)");
            }
            Role role;
            try {
                role = Role.parse(entry.substring(0, colon));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + " has role '" + entry.substring(0, colon)
                        + "'; roles are read, submit, admin");
            }
            String token = entry.substring(colon + 1);
            if (token.length() < MIN_LENGTH) {
                throw new IllegalStateException(where + " has a token of " + token.length()
                        + " characters; at least " + MIN_LENGTH + " are required");
            }
            entries.add(new Entry(digest(token), role));
        }
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Optional<Role> roleOf(String presented) {
        byte[] digest = digest(presented);
        Role found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest) && (found == null || entry.role().compareTo(found) > 0)) {
                found = entry.role();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
