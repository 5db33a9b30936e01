package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a job computes, as one string: the SHA-256 of its type and its spec (every default filled in), where each
 * input is named by the SHA-256 of the artifact it reads, not by the job or upload that holds it, in canonical JSON
 * (keys sorted at every depth). Two jobs with one key compute the same thing from the same bytes: a submission with
 * {@code "reuse": true} is answered by a SUCCEEDED job of its key. What a job measures of its machine (seconds,
 * points per second, the device) is in its result, not its spec, so it is not part of the key.
 */
final class ResultKey {
    /** Bumped when what goes into a key changes, so that no old key matches a new one by accident. */
    static final String VERSION = "v1";

    private ResultKey() {
    }

    /** {@code inputs}: each input's spec field ({@code endpoints[0]}, {@code plane.curve}) to its SHA-256. */
    static String of(JobType type, JobSpec spec, Map<String, String> inputs) {
        ObjectNode tree = JSON.valueToTree(spec);
        new TreeMap<>(inputs).forEach((field, sha256) -> replace(tree, field, sha256));
        ObjectNode material = JSON.createObjectNode().put("type", type.wireName());
        material.set("spec", tree);
        return VERSION + ":" + sha256(JSON.writeValueAsString(sorted(material)));
    }

    /** Puts {@code {"sha256": …}} where the spec names the input {@code field} ("plane.points[1]"). */
    private static void replace(ObjectNode root, String field, String sha256) {
        String[] steps = field.replace("]", "").replace("[", ".").split("\\.");
        JsonNode parent = root;
        for (int i = 0; i < steps.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(steps[i])) : parent.get(steps[i]);
            if (parent == null) {
                throw new IllegalStateException("spec has no field " + field);
            }
        }
        ObjectNode named = JSON.createObjectNode().put("sha256", sha256);
        String last = steps[steps.length - 1];
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), named);
        } else {
            ((ObjectNode) parent).set(last, named);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            new TreeMap<String, JsonNode>(node.propertyStream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                    .forEach((k, v) -> out.set(k, sorted(v)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return node;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
