package dev.valley.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configured bearer tokens. Only SHA-256 digests are kept, and a presented token is compared with every one of
 * them in constant time, so neither a heap dump nor response timing gives a token away.
 */
final class Tokens {
    static final int MIN_LENGTH = 16;

    private record Entry(byte[] digest, Role role, Caller caller) {
    }

    /** What a token grants: its role, and who it is with its quotas. */
    record Grant(Role role, Caller caller) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * From {@code role:token} entries, each optionally followed by {@code ;name=…}, {@code ;maxQueued=N} and
     * {@code ;maxRunning=N} (a token itself cannot hold a {@code ;}); a wrong entry stops the start with what is
     * wrong, never the token itself.
     */
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
            String[] parts = entry.substring(colon + 1).split(";", -1);
            String token = parts[0];
            if (token.length() < MIN_LENGTH) {
                throw new IllegalStateException(where + " has a token of " + token.length()
                        + " characters; at least " + MIN_LENGTH + " are required");
            }
            byte[] digest = digest(token);
            String name = "token-" + HexFormat.of().formatHex(digest, 0, 4);
            Integer maxQueued = null;
            Integer maxRunning = null;
            for (int k = 1; k < parts.length; k++) {
                int eq = parts[k].indexOf('=');
                String key = eq < 0 ? parts[k].trim() : parts[k].substring(0, eq).trim();
                String value = eq < 0 ? "" : parts[k].substring(eq + 1).trim();
                switch (key) {
                    case "name" -> {
                        if (!value.matches("[A-Za-z0-9._@-]{1,64}")) {
                            throw new IllegalStateException(where + " has name '" + value + "'; a name is 1 to 64"
                                    + " letters, digits and ._@-");
                        }
                        name = value;
                    }
                    case "maxQueued" -> maxQueued = quota(where, key, value);
                    case "maxRunning" -> maxRunning = quota(where, key, value);
                    default -> throw new IllegalStateException(where + " has '" + key + "' after the token; what"
                            + " may follow is ;name=…, ;maxQueued=N and ;maxRunning=N");
                }
            }
            entries.add(new Entry(digest, role, new Caller(name, maxQueued, maxRunning)));
        }
    }

    private static int quota(String where, String key, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalStateException(where + " has " + key + "=" + value + "; a quota is a whole number, 1 or more");
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Optional<Grant> grantOf(String presented) {
        byte[] digest = digest(presented);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest)
                    && (found == null || entry.role().compareTo(found.role()) > 0)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found).map(e -> new Grant(e.role(), e.caller()));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
