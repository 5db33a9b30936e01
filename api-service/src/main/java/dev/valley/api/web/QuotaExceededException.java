package dev.valley.api.web;

import java.time.Duration;

/** A submission beyond its caller's quota: a 429 that names the quota, its limit and the count, with Retry-After. */
public class QuotaExceededException extends RuntimeException {
    private final String quota;
    private final int limit;
    private final long current;
    private final Duration retryAfter;

    public QuotaExceededException(String caller, String quota, int limit, long current, String what,
            Duration retryAfter) {
        super(caller + " has " + current + " " + what + ", its quota " + quota + " is " + limit
                + "; nothing was stored: submit again once some have started or ended");
        this.quota = quota;
        this.limit = limit;
        this.current = current;
        this.retryAfter = retryAfter;
    }

    public String quota() {
        return quota;
    }

    public int limit() {
        return limit;
    }

    public long current() {
        return current;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
