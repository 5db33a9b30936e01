package dev.valley.model.job;

/** Built-in datasets a spec may name; it may also name an uploaded one by its id. */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    /** Every built-in name; annotations need a constant. */
    static final String PATTERN = "fashion-mnist|spirals"
            + "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    static final String MESSAGE = "must be fashion-mnist, spirals or the id of an uploaded dataset";

    private Datasets() {
    }
}
