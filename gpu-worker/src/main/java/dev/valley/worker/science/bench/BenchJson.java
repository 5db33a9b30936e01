package dev.valley.worker.science.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./valley bench … --json}: each result is printed once more as one JSON line, {@code {"bench": name, …}},
 * so runs can be kept and compared ({@code jq}, a notebook). Without the flag, nothing changes.
 */
final class BenchJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String bench;
    private final boolean on;

    private BenchJson(String bench, boolean on) {
        this.bench = bench;
        this.on = on;
    }

    /** The flag is read (anywhere among the arguments) and taken out; the rest keep their order. */
    static BenchJson of(String bench, String[] args) {
        return new BenchJson(bench, Arrays.asList(args).contains("--json"));
    }

    static String[] withoutFlag(String[] args) {
        return Arrays.stream(args).filter(a -> !a.equals("--json")).toArray(String[]::new);
    }

    /** One result: alternating names and values ("round", 1, "samplesPerSecond", 4.2e4, …). */
    void line(Object... namesAndValues) {
        if (!on) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("bench", bench);
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        System.out.println(JSON.writeValueAsString(fields));
    }
}
