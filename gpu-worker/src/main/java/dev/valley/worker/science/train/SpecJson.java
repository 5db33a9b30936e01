package dev.valley.worker.science.train;

import tools.jackson.databind.json.JsonMapper;

/** Specs as JSON text, for the metadata of the artifacts they produce. */
final class SpecJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SpecJson() {
    }

    static String write(Object spec) {
        return JSON.writeValueAsString(spec);
    }
}
