package dev.valley.api.auth;

import java.util.Locale;

/** Each role may do what the ones before it may: read the jobs and artifacts, submit and cancel jobs, administer. */
public enum Role {
    READ, SUBMIT, ADMIN;

    boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    static Role parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
