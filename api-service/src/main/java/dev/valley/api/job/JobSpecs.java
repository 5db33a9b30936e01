package dev.valley.api.job;

import static dev.valley.model.Json.STRICT;

import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.InvalidRequestException.FieldError;
import dev.valley.api.web.JsonPaths;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a submitted spec strictly into its type's record, fills the defaults and validates it. Strict means: an
 * unknown field is an error (a typo must not silently fall back to a default), "3" is not a number, 2.5 is not an
 * integer.
 */
@Component
class JobSpecs {

    private final Validator validator;

    JobSpecs(Validator validator) {
        this.validator = validator;
    }

    /** The type a client submits: one it may submit (an inspection is made by its upload, not submitted). */
    JobType type(String name) {
        if (name == null) {
            throw new InvalidRequestException("type", "is required; one of: " + JobType.submittableNames());
        }
        JobType type = JobType.fromWireName(name).orElseThrow(() -> new InvalidRequestException("type",
                "'" + name + "' is not a job type; one of: " + JobType.submittableNames()));
        if (!type.isSubmittable()) {
            throw new InvalidRequestException("type", "inspect jobs are made by uploading a TorchScript module"
                    + " (POST /api/v1/models with format=torchscript), not submitted");
        }
        return type;
    }

    /** The spec with every default filled in, or an exception naming each offending field. */
    JobSpec parse(JobType type, JsonNode spec) {
        if (spec == null || spec.isNull() || spec.isMissingNode()) {
            throw new InvalidRequestException("spec", "is required");
        }
        if (!spec.isObject()) {
            throw new InvalidRequestException("spec", "must be an object");
        }
        JobSpec parsed;
        try {
            parsed = STRICT.treeToValue(spec, type.specType());
        } catch (DatabindException e) {
            throw new InvalidRequestException("spec." + JsonPaths.of(e.getPath()), JsonPaths.reason(e));
        } catch (JacksonException e) {
            // A number too large for its field (Jackson's InputCoercionException) is a read error, not a binding one.
            throw new InvalidRequestException("spec." + JsonPaths.of(e), "is out of range: " + e.getOriginalMessage());
        }
        JobSpec filled = parsed.withDefaults();
        List<FieldError> errors = validator.validate(filled).stream()
                .map(v -> new FieldError("spec." + fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return filled;
    }

    /** A type's spec with every default filled in, from the fewest fields it needs (refs as the zero id). */
    JsonNode defaults(JobType type) {
        return toTree(STRICT.readValue(minimal(type), type.specType()).withDefaults());
    }

    /** The fields a client must give (or that an input implies): an example of them, not defaults. */
    java.util.Set<String> given(JobType type) {
        return new java.util.HashSet<>(STRICT.readTree(minimal(type)).propertyNames());
    }

    private static String minimal(JobType type) {
        String zero = "{\"job\":\"00000000-0000-0000-0000-000000000000\"}";
        return switch (type) {
            case TRAIN, SWA -> "{\"dataset\":\"fashion-mnist\",\"model\":{\"arch\":\"mlp\"}}";
            case CURVE -> "{\"endpoints\":[" + zero + "," + zero + "]}";
            case FGE -> "{\"start\":" + zero + "}";
            case GRID -> "{\"plane\":{\"kind\":\"curve\",\"curve\":" + zero + "}}";
            case ALIGN -> "{\"reference\":" + zero + ",\"target\":" + zero + "}";
            case COMPARE -> "{\"networks\":[" + zero + "," + zero + "]}";
            case SIMPLEX -> "{\"start\":" + zero + "}";
            case HESSIAN -> "{\"network\":" + zero + "}";
            case INSPECT -> "{\"module\":\"00000000-0000-0000-0000-000000000000\",\"dataset\":\"fashion-mnist\"}";
        };
    }

    JsonNode toTree(JobSpec spec) {
        return STRICT.valueToTree(spec);
    }

    /** Cross-field rules are methods of the spec records; name the field each one is about. */
    private static final Map<String, String> RULE_FIELDS = Map.ofEntries(
            Map.entry("hiddenOnlyForMlp", "hidden"),
            Map.entry("channelsOnlyForVgg", "channels"),
            Map.entry("modelFitsDataset", "model.arch"),
            Map.entry("modelGiven", "model"),
            Map.entry("trajectoryValid", "trajectory"),
            Map.entry("snapshotsValid", "snapshots"),
            Map.entry("framesOnlyForCurve", "frames"),
            Map.entry("depthValid", "depth"),
            Map.entry("skipsOnlyForPreresnet", "skips"),
            Map.entry("artifactValid", "artifact"),
            Map.entry("refSourceGiven", "job"),
            Map.entry("moduleGivenForTorchscript", "module"),
            Map.entry("initOnlyForTorchscript", "init"),
            Map.entry("ensembleSizeWithinPoints", "ensembleSize"),
            Map.entry("sourceGiven", "start"),
            Map.entry("swaStartBeforeEnd", "swaStart"),
            Map.entry("cycleEven", "cycle"),
            Map.entry("epochsEnough", "epochs"),
            Map.entry("inputsFitKind", "kind"),
            Map.entry("randomOptionsOnlyForRandom", "kind"),
            Map.entry("layerGivenForSwap", "layer"),
            Map.entry("unitsValid", "units"),
            Map.entry("oneSource", "start"),
            Map.entry("verticesValid", "vertices"),
            Map.entry("rangeThroughSwapPoints", "range.x"),
            Map.entry("XOrdered", "x"),
            Map.entry("YOrdered", "y"),
            Map.entry("lineOneRow", "resolution"),
            Map.entry("rangeFitsResolution", "range"),
            Map.entry("tileValid", "tile"),
            Map.entry("metricsDistinct", "metrics"));

    /** Bean Validation names list elements {@code hidden[1].<list element>}; keep {@code hidden[1]}. */
    private static String fieldName(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString().replace(".<list element>", "");
        int dot = path.lastIndexOf('.');
        String last = path.substring(dot + 1);
        String field = RULE_FIELDS.get(last);
        return field == null ? path : path.substring(0, dot + 1) + field;
    }
}
