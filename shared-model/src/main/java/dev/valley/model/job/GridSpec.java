package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loss and accuracy over a grid of weights W(x, y) on a {@link PlaneSpec plane}: {@code resolution} [nx, ny]
 * points spaced evenly over {@code range} (ends included, as numpy.linspace), split into {@code tile}-sized
 * rectangles that any worker may compute. Train metrics use the first {@code trainSubset} examples of a seeded
 * permutation of the training split, test metrics likewise; batch-norm statistics are recomputed at every point
 * over the (subset of the) training data in batches of {@code batchSize}.
 */
public record GridSpec(
        @Description("the plane (or line) in weight space: points, curve, random, line, swap, simplex, trajectory or "
                + "hessian")
        @NotNull @Valid PlaneSpec plane,
        @Description("[nx, ny] grid points per axis (ny is 1 for a line); default 21 per axis, "
                + "dnn-mode-connectivity's plane.py grid_points")
        @NotNull @Size(min = 2, max = 2, message = "must be [nx, ny]")
        List<@NotNull @Min(1) @Max(MAX_SIDE) Integer> resolution,
        @Description("the ends of each axis, both included (null: [-0.2, 1.2] each; random and hessian: [-1, 1]; "
                + "trajectory: [-1.2, 1.2]; swap: x [0, 1])")
        @Valid Range range,
        @Description("must be the inputs' dataset (null: theirs)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("evaluate on the first N examples of a seeded permutation of the train split (null: all)")
        @Positive Integer trainSubset,
        @Description("evaluate on the first N examples of a seeded permutation of the test split (null: all)")
        @Positive Integer testSubset,
        @Description("any of train_loss, train_accuracy, test_loss, test_accuracy (default: all four; on a regression "
                + "dataset, which has no accuracy, the two losses)")
        @Size(min = 1, max = 4, message = "must name 1 to 4 metrics")
        List<@NotNull @Pattern(regexp = "train_loss|train_accuracy|test_loss|test_accuracy",
                message = "must be one of: train_loss, train_accuracy, test_loss, test_accuracy") String> metrics,
        @Description("recompute batch-norm statistics at every point, as update_bn")
        @NotNull Boolean recomputeBatchNorm,
        @Description("[tx, ty] points per tile; tiles are shared among workers")
        @NotNull @Size(min = 2, max = 2, message = "must be [tx, ty]") List<@NotNull @Positive Integer> tile,
        @Description("the batch-norm pass's batch size")
        @NotNull @Min(1) @Max(65536) Integer batchSize,
        @Description("the subsets' permutation, and the spirals data")
        @NotNull Long seed,
        @Precision.Of String precision) implements JobSpec {

    public static final int MAX_SIDE = 1000;
    public static final int MAX_TILE_POINTS = 10_000;
    public static final int MAX_TILES = 10_000;
    public static final String CURVE_FIELD = "plane.curve";
    public static final String SIMPLEX_FIELD = "plane.simplex";
    public static final String TRAJECTORY_FIELD = "plane.trajectory";
    public static final String HESSIAN_FIELD = "plane.hessian";
    public static final List<String> METRICS = List.of("train_loss", "train_accuracy", "test_loss", "test_accuracy");

    /** {@code x} = [a, b] and {@code y} = [c, d], each a ≤ b, ends included. */
    public record Range(
            @NotNull @Size(min = 2, max = 2, message = "must be [from, to]") List<@NotNull Double> x,
            @NotNull @Size(min = 2, max = 2, message = "must be [from, to]") List<@NotNull Double> y) {

        @AssertTrue(message = "must be finite, at most 1e6 in size, with from ≤ to")
        boolean isXOrdered() {
            return ordered(x);
        }

        @AssertTrue(message = "must be finite, at most 1e6 in size, with from ≤ to")
        boolean isYOrdered() {
            return ordered(y);
        }

        private static boolean ordered(List<Double> r) {
            return r == null || r.size() != 2 || hasNull(r)
                    || (Double.isFinite(r.get(0)) && Double.isFinite(r.get(1)) && r.get(0) <= r.get(1)
                    && Math.abs(r.get(0)) <= 1e6 && Math.abs(r.get(1)) <= 1e6);
        }
    }

    /** Points per axis when none are given: dnn-mode-connectivity's {@code plane.py --grid_points} default. */
    public static final int DEFAULT_SIDE = 21;

    @Override
    public GridSpec withDefaults() {
        PlaneSpec p = plane == null ? null : plane.withDefaults();
        List<Integer> res = resolution;
        if (res == null && p != null && p.kind() != null) {
            res = List.of(DEFAULT_SIDE, p.isLine() ? 1 : DEFAULT_SIDE);
        }
        Range r = range;
        if (r == null && p != null && p.kind() != null) {
            List<Double> span = switch (p.kind()) {
                case PlaneSpec.RANDOM, PlaneSpec.HESSIAN -> List.of(-1.0, 1.0);
                case PlaneSpec.SWAP -> List.of(0.0, 1.0);
                case PlaneSpec.TRAJECTORY -> List.of(-1.2, 1.2); // the path spans [-1, 1] on each axis
                default -> List.of(-0.2, 1.2);
            };
            r = new Range(span, p.isLine() ? List.of(0.0, 0.0) : span);
        }
        List<Integer> t = tile;
        if (t == null && res != null && res.size() == 2 && !hasNull(res)) {
            t = List.of(defaultTile(res.get(0)), defaultTile(res.get(1)));
        }
        return new GridSpec(p, res, r, dataset, trainSubset, testSubset,
                metrics == null ? defaultMetrics(dataset) : metrics,
                recomputeBatchNorm == null ? Boolean.TRUE : recomputeBatchNorm, t,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                precision == null ? Precision.DEFAULT : precision);
    }

    /** A quarter of the side, at least 1 and at most 50: a dozen tiles or more to share out, each big enough that
     * loading its inputs costs little beside computing it. */
    static int defaultTile(int side) {
        return Math.max(1, Math.min(50, (side + 3) / 4));
    }

    @AssertTrue(message = "must be 1 for a line (resolution [nx, 1])")
    boolean isLineOneRow() {
        return plane == null || !plane.isLine() || resolution == null || resolution.size() != 2
                || Integer.valueOf(1).equals(resolution.get(1));
    }

    @AssertTrue(message = "a range of one value needs resolution 1 on that axis, and a longer range more than 1")
    boolean isRangeFitsResolution() {
        if (range == null || resolution == null || resolution.size() != 2 || hasNull(resolution)
                || range.x() == null || range.y() == null || range.x().size() != 2 || range.y().size() != 2
                || hasNull(range.x()) || hasNull(range.y())) {
            return true;
        }
        return (range.x().get(0).equals(range.x().get(1))) == (resolution.get(0) == 1)
                && (range.y().get(0).equals(range.y().get(1))) == (resolution.get(1) == 1);
    }

    /** Where x = 0, ½ and 1 lie on the x axis: a swap path's ends and its midpoint. */
    public static final double[] SWAP_POINTS = {0, 0.5, 1};

    @AssertTrue(message = "must put grid points at x = 0, 0.5 and 1 for a swap plane (the ends and the midpoint):"
            + " for example range.x [0, 1] with an odd resolution")
    boolean isRangeThroughSwapPoints() {
        if (plane == null || !plane.isSwap() || range == null || range.x() == null || range.x().size() != 2
                || hasNull(range.x()) || resolution == null || resolution.size() != 2 || hasNull(resolution)
                || resolution.get(0) < 1) {
            return true;
        }
        double[] xs = linspace(range.x(), resolution.get(0));
        for (double x : SWAP_POINTS) {
            if (indexOf(xs, x) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The index of the grid coordinate equal to {@code x} (within 1e-9 of the axis's span), or −1. */
    public static int indexOf(double[] axis, double x) {
        double tolerance = 1e-9 * Math.max(1, Math.abs(axis[axis.length - 1] - axis[0]));
        for (int i = 0; i < axis.length; i++) {
            if (Math.abs(axis[i] - x) <= tolerance) {
                return i;
            }
        }
        return -1;
    }

    @AssertTrue(message = "must fit in the resolution, hold at most " + MAX_TILE_POINTS
            + " points and cut the grid into at most " + MAX_TILES + " tiles")
    boolean isTileValid() {
        if (tile == null || tile.size() != 2 || hasNull(tile) || resolution == null || resolution.size() != 2
                || hasNull(resolution)) {
            return true;
        }
        int nx = resolution.get(0);
        int ny = resolution.get(1);
        if (tile.get(0) < 1 || tile.get(1) < 1 || nx < 1 || ny < 1) {
            return true; // each entry's own rule names it
        }
        long count = (long) ((nx + tile.get(0) - 1) / tile.get(0)) * ((ny + tile.get(1) - 1) / tile.get(1));
        return tile.get(0) <= nx && tile.get(1) <= ny && (long) tile.get(0) * tile.get(1) <= MAX_TILE_POINTS
                && count <= MAX_TILES;
    }

    @AssertTrue(message = "must not repeat a metric")
    boolean isMetricsDistinct() {
        return metrics == null || metrics.stream().distinct().count() == metrics.size();
    }

    private static boolean hasNull(List<?> list) {
        return list.stream().anyMatch(java.util.Objects::isNull);
    }

    public int nx() {
        return resolution.get(0);
    }

    public int ny() {
        return resolution.get(1);
    }

    /** The grid's x coordinates, ends included. */
    public double[] xs() {
        return linspace(range.x(), nx());
    }

    public double[] ys() {
        return linspace(range.y(), ny());
    }

    private static double[] linspace(List<Double> span, int n) {
        double[] values = new double[n];
        double a = span.get(0);
        double b = span.get(1);
        for (int i = 0; i < n; i++) {
            values[i] = n == 1 ? a : a + (b - a) * i / (n - 1);
        }
        if (n > 1) {
            values[n - 1] = b;
        }
        return values;
    }

    /** Every tile, row-major. */
    public List<GridTile> tiles() {
        int tx = tile.get(0);
        int ty = tile.get(1);
        List<GridTile> tiles = new ArrayList<>();
        for (int y0 = 0; y0 < ny(); y0 += ty) {
            for (int x0 = 0; x0 < nx(); x0 += tx) {
                tiles.add(new GridTile(tiles.size(), x0, Math.min(x0 + tx, nx()), y0, Math.min(y0 + ty, ny())));
            }
        }
        return tiles;
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        return plane == null ? Map.of() : plane.modelRefs();
    }

    @Override
    public JobType takesJob(String field) {
        return switch (field) {
            case CURVE_FIELD -> JobType.CURVE;
            case SIMPLEX_FIELD -> JobType.SIMPLEX;
            case TRAJECTORY_FIELD -> JobType.TRAIN;
            case HESSIAN_FIELD -> JobType.HESSIAN;
            default -> null;
        };
    }

    /** The metrics are filled here, where the dataset is known (a regression has no accuracy). */
    @Override
    public GridSpec withInputs(ModelSpec inputModel, String inputsDataset) {
        String d = dataset != null ? dataset : inputsDataset;
        return new GridSpec(plane, resolution, range, d, trainSubset, testSubset,
                metrics == null ? defaultMetrics(d) : metrics, recomputeBatchNorm, tile, batchSize, seed, precision);
    }

    /** All four metrics; on a regression dataset, the losses (null while the dataset is unknown: the inputs tell). */
    static List<String> defaultMetrics(String dataset) {
        return dataset == null ? null : Datasets.isRegression(dataset) ? REGRESSION_METRICS : METRICS;
    }

    /** The metrics a regression dataset has. */
    public static final List<String> REGRESSION_METRICS = List.of("train_loss", "test_loss");
}
