package dev.valley.api.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/** Every error leaves as RFC 9457 problem details; a validation error lists each field and the rule it broke. */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        return validationProblem(e.errors());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setTitle("Not found");
        return problem;
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        problem.setTitle("Conflict");
        return problem;
    }

    /** Over a token's quota: 429, naming the quota, with when to try again. Nothing was stored. */
    @ExceptionHandler(QuotaExceededException.class)
    ResponseEntity<ProblemDetail> overQuota(QuotaExceededException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
        problem.setTitle("Over quota");
        problem.setProperty("quota", e.quota());
        problem.setProperty("limit", e.limit());
        problem.setProperty("current", e.current());
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds())).body(problem);
    }

    /** An uploaded file that is not what it claims to be: the reason names the file and the place. */
    @ExceptionHandler(dev.valley.model.upload.InvalidUploadException.class)
    ProblemDetail invalidUpload(dev.valley.model.upload.InvalidUploadException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
        problem.setTitle("Unusable upload");
        return problem;
    }

    /** A multipart body that cannot be parsed (over-size ones are answered 413 by the base class). */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<ProblemDetail> badMultipart(org.springframework.web.multipart.MultipartException e) {
        if (e instanceof org.springframework.web.multipart.MaxUploadSizeExceededException tooLarge) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                    "the upload is larger than the limit, valley.api.max-upload-size"
                            + (tooLarge.getMaxUploadSize() > 0 ? " (" + tooLarge.getMaxUploadSize() / (1 << 20)
                            + " MB)" : "") + "; nothing was stored");
            problem.setTitle("Upload too large");
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the multipart body cannot be read: " + e.getMostSpecificCause().getMessage());
        problem.setTitle("Malformed request");
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * The database is away (restarting): nothing was stored; the client may send the same request again. Any other
     * data-access failure is a fault of ours and stays a 500.
     */
    @ExceptionHandler({org.springframework.transaction.TransactionException.class,
            org.springframework.dao.DataAccessException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(RuntimeException e) {
        if (!DatabaseOutage.isCause(e)) {
            throw e;
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "the database is unreachable; nothing was stored, try again shortly");
        problem.setTitle("Service unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5").body(problem);
    }

    /** Malformed JSON, or a value of the wrong type: name the field where Jackson knows it. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeLimit.TooLarge tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(BodySizeLimit.problem(tooLarge.getMessage()));
            }
        }
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof DatabindException databind && !databind.getPath().isEmpty()) {
            String field = JsonPaths.of(databind.getPath());
            return ResponseEntity.badRequest().body(validationProblem(List.of(new InvalidRequestException.FieldError(
                    field, JsonPaths.reason(databind)))));
        }
        // A body of the wrong shape at its root (an array, a string) would otherwise be described by the class it
        // could not become; a client needs to know what to send, not what we bind it to.
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                cause instanceof DatabindException ? "the request body must be a JSON object"
                        : cause instanceof JacksonException json ? "malformed JSON: " + json.getOriginalMessage()
                        : "the request body is missing or unreadable");
        problem.setTitle("Malformed request");
        return ResponseEntity.badRequest().body(problem);
    }

    static ProblemDetail validationProblem(List<InvalidRequestException.FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                errors.stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")));
        problem.setTitle("Invalid request");
        problem.setType(URI.create("https://valley.dev/problems/validation"));
        problem.setProperty("errors", errors.stream()
                .map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        return problem;
    }
}
