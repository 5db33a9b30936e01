package dev.valley.worker.science.model;

import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Builds the architecture a spec names for a dataset's sample shape and classes. */
public final class Architectures {
    private Architectures() {
    }

    /** A built-in architecture; a TorchScript module needs {@link #of(ModelSpec, long[], int, Function, NDManager)}. */
    public static Architecture of(ModelSpec spec, long[] sampleShape, int classes) {
        return of(spec, sampleShape, classes, null, null);
    }

    /**
     * {@code modules} reads an uploaded module's archive by its id; a TorchScript module is loaded onto
     * {@code manager}'s device, and closing the manager frees it.
     */
    public static Architecture of(ModelSpec spec, long[] sampleShape, int classes, Function<UUID, byte[]> modules,
            NDManager manager) {
        ModelSpec filled = spec.withDefaults();
        return switch (filled.arch()) {
            case ModelSpec.MLP -> new Mlp(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact), filled.hidden(), classes);
            case ModelSpec.VGG -> new Vgg(sampleShape, filled.channels(), classes);
            case ModelSpec.PRERESNET -> new PreResNet(sampleShape, filled.depth(), filled.skips(), classes);
            case ModelSpec.TORCHSCRIPT -> {
                if (modules == null || manager == null) {
                    throw new IllegalArgumentException("module " + filled.module() + " is TorchScript, and no"
                            + " storage was given to read it from");
                }
                yield TorchScriptNetwork.load(modules.apply(filled.module()), manager,
                        Map.of("arch", ModelSpec.TORCHSCRIPT, "module", filled.module().toString()));
            }
            default -> throw new IllegalArgumentException("unknown architecture " + filled.arch());
        };
    }
}
