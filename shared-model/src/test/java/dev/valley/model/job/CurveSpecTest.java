package dev.valley.model.job;

import static dev.valley.model.Json.STRICT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A curve's defaults that depend on its other fields. */
class CurveSpecTest {
    private static CurveSpec filled(String fields) {
        String ref = "{\"job\":\"00000000-0000-0000-0000-000000000001\"}";
        return STRICT.readValue("{\"endpoints\":[" + ref + "," + ref + "]" + fields + "}", CurveSpec.class)
                .withDefaults();
    }

    @Test
    void theEnsembleIsFiveCurvePointsOrAllOfThemWhereThereAreFewer() {
        assertThat(filled("").ensembleSize()).isEqualTo(5);          // 61 points by default
        assertThat(filled(",\"points\":3").ensembleSize()).isEqualTo(3);
        assertThat(filled(",\"points\":5").ensembleSize()).isEqualTo(5);
        assertThat(filled(",\"points\":3,\"ensembleSize\":2").ensembleSize()).isEqualTo(2);
        assertThat(filled(",\"points\":1").ensembleSize()).isEqualTo(5); // points itself is refused, not this
    }
}
