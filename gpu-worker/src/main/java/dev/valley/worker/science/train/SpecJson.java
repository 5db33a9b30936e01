package dev.valley.worker.science.train;

import static dev.valley.model.Json.JSON;


/** Specs as JSON text, for the metadata of the artifacts they produce. */
final class SpecJson {

    private SpecJson() {
    }

    static String write(Object spec) {
        return JSON.writeValueAsString(spec);
    }
}
