package dev.valley.worker.science.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BenchJsonTest {
    @Test
    void theFlagIsTakenOutAndEachResultIsOneParseableJsonLine() {
        String[] args = {"5", "--json", "2000"};
        assertThat(BenchJson.withoutFlag(args)).containsExactly("5", "2000");
        String printed = capture(() -> {
            BenchJson.of("grid", args).line("rows", 3, "pointsPerSecond", 1234.5, "device", "cpu()");
            BenchJson.of("grid", new String[] {"5"}).line("rows", 4); // no flag: nothing
        });
        assertThat(printed.lines()).hasSize(1);
        JsonNode line = JsonMapper.builder().build().readTree(printed);
        assertThat(line.get("bench").asString()).isEqualTo("grid");
        assertThat(line.get("rows").asInt()).isEqualTo(3);
        assertThat(line.get("pointsPerSecond").asDouble()).isEqualTo(1234.5);
        assertThat(line.get("device").asString()).isEqualTo("cpu()");
    }

    private static String capture(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
