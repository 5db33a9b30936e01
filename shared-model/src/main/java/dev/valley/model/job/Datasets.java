package dev.valley.model.job;

/** Built-in datasets a spec may name; it may also name an uploaded one by its id. */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    /** A 1-D regression toy (inputs in three clusters on a line, a smooth target plus noise); its data never change. */
    public static final String REGRESSION_1D = "regression-1d";
    /** An uploaded dataset's id, as a spec names it. */
    public static final String UPLOADED =
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    /** Every name a spec may give; annotations need a constant. */
    static final String PATTERN = "fashion-mnist|spirals|regression-1d|" + UPLOADED;
    static final String MESSAGE = "must be fashion-mnist, spirals, regression-1d or the id of an uploaded dataset";
    /** What a spec's {@code dataset} field says of itself. */
    static final String DESCRIPTION = "fashion-mnist (the Debian package's IDX files), spirals (a seeded synthetic 2-D"
            + " set of 3 arms), regression-1d (a 1-D regression toy, trained with the mean squared error), or an"
            + " uploaded dataset's id";

    private Datasets() {
    }

    /** A built-in dataset's example shape; null for a name that is none. */
    public static long[] sampleShape(String name) {
        return switch (name) {
            case FASHION_MNIST -> new long[] {1, 28, 28};
            case SPIRALS -> new long[] {2};
            case REGRESSION_1D -> new long[] {1};
            default -> null;
        };
    }

    /** A built-in classification dataset's number of classes; 0 for a regression set or a name that is none. */
    public static int classes(String name) {
        return switch (name) {
            case FASHION_MNIST -> 10;
            case SPIRALS -> 3;
            default -> 0;
        };
    }

    /** Whether {@code name} is a built-in regression set: one real target per example, the loss the mean squared
     * error, and no accuracy. */
    public static boolean isRegression(String name) {
        return REGRESSION_1D.equals(name);
    }

    /**
     * The network a train or swa spec gets when it names no model, where the dataset has one of its own: for
     * regression-1d an mlp of hidden widths [200, 50, 50, 50] with one output (a toy network of the size Izmailov
     * et al. use for their 1-D regressions); null for every other dataset, whose spec must name its model.
     */
    public static ModelSpec defaultModel(String name) {
        return REGRESSION_1D.equals(name) ? new ModelSpec(ModelSpec.MLP, REGRESSION_HIDDEN, null) : null;
    }

    static final java.util.List<Integer> REGRESSION_HIDDEN = java.util.List.of(200, 50, 50, 50);
}
