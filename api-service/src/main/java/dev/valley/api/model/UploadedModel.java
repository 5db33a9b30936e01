package dev.valley.api.model;

import dev.valley.model.job.ModelSpec;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import dev.valley.model.job.InspectResult;

/**
 * A network uploaded through the API, and the dataset it is for. {@code format} {@code safetensors}: weights for a
 * built-in architecture, checked at upload and READY at once. {@code torchscript}: a module ({@code model} is
 * {@code {"arch": "torchscript", "module": id}}), PENDING until its inspect job ({@code inspectJob}) has run, then
 * READY with what the inspection found ({@code inspection}) or INVALID with the reason ({@code error}). A job names
 * the weights with {@code {"model": "<id>"}} wherever it could name a job's, and a module with {@code model}'s
 * spec.
 */
public record UploadedModel(UUID id, @Nullable String name, String format, Status status, ModelSpec model,
        String dataset, String key, long size, String sha256, Instant createdAt, @Nullable UUID inspectJob,
        @Nullable InspectResult inspection, @Nullable String error) {

    public static final String SAFETENSORS = "safetensors";
    public static final String TORCHSCRIPT = "torchscript";

    public enum Status { PENDING, READY, INVALID }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isTorchScript() {
        return TORCHSCRIPT.equals(format);
    }
}
