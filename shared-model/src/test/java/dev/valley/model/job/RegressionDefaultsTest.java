package dev.valley.model.job;

import static dev.valley.model.Json.STRICT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The defaults a regression dataset gives a spec: its own network, and a grid of its losses alone. */
class RegressionDefaultsTest {

    @Test
    void regressionHasItsOwnNetworkAndTheOthersNone() {
        TrainSpec train = STRICT.readValue("{\"dataset\":\"regression-1d\",\"epochs\":3}", TrainSpec.class)
                .withDefaults();
        assertThat(train.model()).isEqualTo(new ModelSpec("mlp", List.of(200, 50, 50, 50), null));
        assertThat(train.isModelGiven()).isTrue();
        // A model given is kept; other datasets have no network of their own.
        TrainSpec given = STRICT.readValue("{\"dataset\":\"regression-1d\",\"model\":{\"arch\":\"mlp\",\"hidden\":[8]},"
                + "\"epochs\":3}", TrainSpec.class).withDefaults();
        assertThat(given.model().hidden()).containsExactly(8);
        assertThat(STRICT.readValue("{\"dataset\":\"spirals\",\"epochs\":3}", TrainSpec.class).isModelGiven())
                .isFalse();
        SwaSpec swa = STRICT.readValue("{\"dataset\":\"regression-1d\"}", SwaSpec.class);
        assertThat(swa.isSourceGiven()).isTrue();
        assertThat(swa.withDefaults().model().hidden()).containsExactly(200, 50, 50, 50);
        assertThat(STRICT.readValue("{\"dataset\":\"fashion-mnist\"}", SwaSpec.class).isSourceGiven()).isFalse();
        // Points are no images.
        assertThat(STRICT.readValue("{\"dataset\":\"regression-1d\",\"model\":{\"arch\":\"vgg\"},\"epochs\":3}",
                TrainSpec.class).isModelFitsDataset()).isFalse();
    }

    @Test
    void aGridOnARegressionMapsItsLossesUnlessItNamesItsMetrics() {
        String plane = "{\"plane\":{\"kind\":\"line\",\"points\":[{\"job\":\"00000000-0000-0000-0000-000000000001\"},"
                + "{\"job\":\"00000000-0000-0000-0000-000000000002\"}]}";
        GridSpec unknown = STRICT.readValue(plane + "}", GridSpec.class).withDefaults();
        assertThat(unknown.metrics()).isNull(); // the inputs tell the dataset
        assertThat(unknown.withInputs(null, "regression-1d").metrics()).containsExactly("train_loss", "test_loss");
        assertThat(unknown.withInputs(null, "spirals").metrics()).isEqualTo(GridSpec.METRICS);
        GridSpec named = STRICT.readValue(plane + ",\"metrics\":[\"test_loss\"]}", GridSpec.class).withDefaults();
        assertThat(named.withInputs(null, "regression-1d").metrics()).containsExactly("test_loss");
        GridSpec direct = STRICT.readValue(plane + ",\"dataset\":\"regression-1d\"}", GridSpec.class).withDefaults();
        assertThat(direct.metrics()).containsExactly("train_loss", "test_loss");
    }
}
