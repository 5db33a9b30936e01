package dev.valley.api.web;

/** The request is valid but the resource's state does not allow it (for example cancelling a finished job). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
