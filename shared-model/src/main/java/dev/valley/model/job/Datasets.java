package dev.valley.model.job;

import java.util.List;

/** Built-in datasets a spec may name. */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    public static final List<String> BUILT_IN = List.of(FASHION_MNIST, SPIRALS);
    /** Kept in step with {@link #BUILT_IN}; annotations need a constant. */
    static final String PATTERN = "fashion-mnist|spirals";

    private Datasets() {
    }
}
