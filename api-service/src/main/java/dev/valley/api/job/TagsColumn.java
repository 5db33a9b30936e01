package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;

/** A job's tags in their {@code jsonb} column: one object of string keys and values, written in key order. */
@Converter
class TagsColumn implements AttributeConverter<Map<String, String>, String> {
    private static final TypeReference<LinkedHashMap<String, String>> TAGS = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(Map<String, String> tags) {
        return JSON.writeValueAsString(tags == null ? Map.of() : new TreeMap<>(tags));
    }

    @Override
    public Map<String, String> convertToEntityAttribute(String column) {
        return column == null ? Map.of() : JSON.readValue(column, TAGS);
    }
}
