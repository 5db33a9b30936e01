package dev.valley.worker.science.model;

import dev.valley.model.job.ModelSpec;
import java.util.Arrays;

/** Builds the architecture a spec names for a dataset's sample shape and classes. */
public final class Architectures {
    private Architectures() {
    }

    public static Architecture of(ModelSpec spec, long[] sampleShape, int classes) {
        ModelSpec filled = spec.withDefaults();
        return switch (filled.arch()) {
            case ModelSpec.MLP -> new Mlp(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact), filled.hidden(), classes);
            case ModelSpec.VGG -> new Vgg(sampleShape, filled.channels(), classes);
            case ModelSpec.PRERESNET -> new PreResNet(sampleShape, filled.depth(), filled.skips(), classes);
            default -> throw new IllegalArgumentException("unknown architecture " + filled.arch());
        };
    }
}
