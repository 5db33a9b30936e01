package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's spec in its {@code jsonb} column: the record's fields with its job type under {@code type}, so that a row
 * alone says which record to read (a JPA converter sees one column). Read back, the defaults are filled in again, so
 * a row stored before a field existed reads with that field's default.
 */
@Converter
class JobSpecColumn implements AttributeConverter<JobSpec, String> {
    private static final String TYPE = "type";

    @Override
    public String convertToDatabaseColumn(JobSpec spec) {
        if (spec == null) {
            return null;
        }
        ObjectNode row = JSON.createObjectNode().put(TYPE, spec.jobType().wireName());
        row.setAll((ObjectNode) JSON.valueToTree(spec));
        return JSON.writeValueAsString(row);
    }

    @Override
    public JobSpec convertToEntityAttribute(String column) {
        if (column == null) {
            return null;
        }
        ObjectNode row = (ObjectNode) JSON.readTree(column);
        JsonNode key = row.remove(TYPE);
        String name = key == null ? null : key.asString();
        JobType type = JobType.fromWireName(name).orElseThrow(() -> new IllegalStateException(
                "a job's spec row names no known type: " + name));
        return JSON.treeToValue(row, type.specType()).withDefaults();
    }
}
