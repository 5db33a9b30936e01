package dev.valley.model.queue;

import static dev.valley.model.Json.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.valley.model.job.CurveSpec;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.job.TrainSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A dispatch message carries its spec as the job type's record, keyed by the {@code type} beside it. */
class DispatchMessageTest {
    private static final UUID JOB = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final String REF = "{\"job\":\"00000000-0000-0000-0000-000000000001\"}";

    /** The fewest fields each type needs, written by hand. */
    private static final Map<JobType, String> MINIMAL = Map.of(
            JobType.TRAIN, "{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}",
            JobType.CURVE, "{\"endpoints\":[" + REF + "," + REF + "]}",
            JobType.SWA, "{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}",
            JobType.FGE, "{\"start\":" + REF + "}",
            JobType.GRID, "{\"plane\":{\"kind\":\"curve\",\"curve\":" + REF + "}}",
            JobType.ALIGN, "{\"reference\":" + REF + ",\"target\":" + REF + "}",
            JobType.COMPARE, "{\"networks\":[" + REF + "," + REF + "]}",
            JobType.SIMPLEX, "{\"start\":" + REF + "}",
            JobType.HESSIAN, "{\"network\":" + REF + "}",
            JobType.INSPECT, "{\"module\":\"00000000-0000-0000-0000-000000000002\",\"dataset\":\"spirals\"}");

    @Test
    void everyTypeTravelsAsItsOwnRecordWithTheTypeOnlyBesideIt() {
        for (JobType type : JobType.values()) {
            JobSpec spec = JSON.readValue(MINIMAL.get(type), type.specType()).withDefaults();
            String wire = JSON.writeValueAsString(new DispatchMessage(JOB, 2, type, spec, List.of(), null));

            JsonNode tree = JSON.readTree(wire);
            assertThat(tree.get("type").asString()).isEqualTo(type.wireName());
            assertThat(wire.split("\"type\"", -1)).as(wire).hasSize(2); // once, beside the spec
            assertThat(tree.get("spec").has("type")).isFalse();
            DispatchMessage read = JSON.readValue(wire, DispatchMessage.class);
            assertThat(read.spec()).isInstanceOf(type.specType()).isEqualTo(spec);
            assertThat(read.spec(type.specType())).isSameAs(read.spec());
        }
    }

    @Test
    void aMessageWrittenBeforeTheSpecWasTypedReadsWithItsDefaultsFilledIn() {
        // The shape of a message queued by an earlier Valley: the spec as submitted, no defaults.
        String old = "{\"jobId\":\"" + JOB + "\",\"attempt\":1,\"spec\":" + MINIMAL.get(JobType.TRAIN)
                + ",\"type\":\"train\",\"inputs\":[]}";

        TrainSpec spec = JSON.readValue(old, DispatchMessage.class).spec(TrainSpec.class);

        assertThat(spec.dataset()).isEqualTo("spirals");
        assertThat(spec.epochs()).isEqualTo(TrainSpec.DEFAULT_EPOCHS);
        assertThat(spec.schedule()).isEqualTo("constant");
    }

    @Test
    void aSpecOfAnotherTypeIsRefused() {
        JobSpec train = JSON.readValue(MINIMAL.get(JobType.TRAIN), TrainSpec.class);
        assertThatThrownBy(() -> new DispatchMessage(JOB, 1, JobType.CURVE, train, List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TrainSpec");

        DispatchMessage grid = new DispatchMessage(JOB, 1, JobType.GRID,
                JSON.readValue(MINIMAL.get(JobType.GRID), GridSpec.class), List.of(), null);
        assertThatThrownBy(() -> grid.spec(CurveSpec.class)).hasMessageContaining("GridSpec, not a CurveSpec");
    }

    @Test
    void theSubtypeNamesAreTheJobTypesWireNames() {
        Map<String, Class<?>> named = Arrays.stream(JobSpec.class.getAnnotation(JsonSubTypes.class).value())
                .collect(Collectors.toMap(JsonSubTypes.Type::name, JsonSubTypes.Type::value));
        Map<String, Class<?>> types = Arrays.stream(JobType.values())
                .collect(Collectors.toMap(JobType::wireName, JobType::specType));
        assertThat(named).isEqualTo(types);
    }
}
