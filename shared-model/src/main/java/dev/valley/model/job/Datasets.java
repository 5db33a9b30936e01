package dev.valley.model.job;

/** Built-in datasets a spec may name; it may also name an uploaded one by its id. */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    /** An uploaded dataset's id, as a spec names it. */
    public static final String UPLOADED =
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    /** Every name a spec may give; annotations need a constant. */
    static final String PATTERN = "fashion-mnist|spirals|" + UPLOADED;
    static final String MESSAGE = "must be fashion-mnist, spirals or the id of an uploaded dataset";

    private Datasets() {
    }

    /** A built-in dataset's example shape; null for a name that is none. */
    public static long[] sampleShape(String name) {
        return switch (name) {
            case FASHION_MNIST -> new long[] {1, 28, 28};
            case SPIRALS -> new long[] {2};
            default -> null;
        };
    }

    /** A built-in dataset's number of classes; 0 for a name that is none. */
    public static int classes(String name) {
        return switch (name) {
            case FASHION_MNIST -> 10;
            case SPIRALS -> 3;
            default -> 0;
        };
    }
}
