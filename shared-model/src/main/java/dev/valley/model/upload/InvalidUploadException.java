package dev.valley.model.dataset;

/** An uploaded file that is not the dataset it claims to be: the message says which file and why. */
public class InvalidDatasetException extends RuntimeException {
    public InvalidDatasetException(String message) {
        super(message);
    }

    public InvalidDatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
