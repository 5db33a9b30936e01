package dev.valley.model.job;

/** Built-in datasets a spec may name. */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    /** Every built-in name; annotations need a constant. */
    static final String PATTERN = "fashion-mnist|spirals";

    private Datasets() {
    }
}
