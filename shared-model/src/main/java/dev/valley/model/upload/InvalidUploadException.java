package dev.valley.model.upload;

/** An uploaded file (a dataset's, or weights) that is not what it claims to be: the message says which file and why. */
public class InvalidUploadException extends RuntimeException {
    public InvalidUploadException(String message) {
        super(message);
    }

    public InvalidUploadException(String message, Throwable cause) {
        super(message, cause);
    }
}
