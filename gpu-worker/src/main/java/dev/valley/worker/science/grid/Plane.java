package dev.valley.worker.science.grid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.GridResult;
import dev.valley.worker.science.curve.CurveKind;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A plane in weight space, W(x, y) = origin + x·u + y·v over the parameters; batch-norm statistics come from the
 * origin (or are recomputed per point). Everything lives in one manager on the device.
 */
public final class Plane implements AutoCloseable {
    /** Points at which a curve plane samples its curve, as the curve job evaluates it by default. */
    public static final int CURVE_SAMPLES = 61;

    private final Weights origin;
    private final Map<String, NDArray> u;
    private final Map<String, NDArray> v;
    private final List<GridResult.Marker> markers;
    private final List<GridResult.CurveSample> curve;
    private final boolean originHasStatistics;
    private final GridResult.Swap swap;
    private Path path;

    /**
     * A training run's kept networks on a trajectory plane: their {@code epochs}, their plane {@code coordinates},
     * their parameters ({@code steps}, in the plane's manager, for evaluating them as they are), the principal
     * components' explained variance {@code ratio} and the {@code scale} of each axis.
     */
    public record Path(List<Integer> epochs, double[][] coordinates, List<Map<String, NDArray>> steps, double[] ratio,
            double[] scale) {
    }

    private Plane(Weights origin, Map<String, NDArray> u, Map<String, NDArray> v, List<GridResult.Marker> markers,
            List<GridResult.CurveSample> curve, boolean originHasStatistics) {
        this(origin, u, v, markers, curve, originHasStatistics, null);
    }

    private Plane(Weights origin, Map<String, NDArray> u, Map<String, NDArray> v, List<GridResult.Marker> markers,
            List<GridResult.CurveSample> curve, boolean originHasStatistics, GridResult.Swap swap) {
        this.origin = origin;
        this.u = u;
        this.v = v;
        this.markers = List.copyOf(markers);
        this.curve = curve == null ? null : List.copyOf(curve);
        this.originHasStatistics = originHasStatistics;
        this.swap = swap;
    }

    /**
     * u = w2 − w1 and v = (w3 − w1) − p·u with p = ⟨w3 − w1, u⟩ / ‖u‖²: w1 at (0, 0), w2 at (1, 0), w3 at (p, 1).
     * Takes ownership of w1; w2 and w3 are only read.
     */
    public static Plane points(Weights w1, Weights w2, Weights w3, List<String> labels) {
        // Only u and v stay with the plane; w3 − w1 and every intermediate go with the scratch manager.
        try (NoGrad noGrad = NoGrad.enter(); NDManager scratch = w1.manager().newSubManager()) {
            NDManager manager = w1.manager();
            Map<String, NDArray> u = difference(w2, w1, manager);
            Map<String, NDArray> d = difference(w3, w1, scratch);
            double uu = TensorMaps.dot(u, u);
            if (!(uu > 0)) {
                throw new IllegalArgumentException(labels.get(0) + " and " + labels.get(1)
                        + " are the same network: the plane has no x direction");
            }
            double p = TensorMaps.dot(d, u) / uu;
            Map<String, NDArray> v = TensorMaps.zip(d, u, (dn, un) -> dn.sub(un.mul((float) p)), manager);
            double vv = TensorMaps.dot(v, v);
            if (!(vv > 1e-12 * TensorMaps.dot(d, d)) || !(vv > 0)) {
                throw new IllegalArgumentException(labels.get(2) + " lies on the line through " + labels.get(0)
                        + " and " + labels.get(1) + ": the plane has no y direction");
            }
            List<GridResult.Marker> markers = List.of(new GridResult.Marker(labels.get(0), 0, 0),
                    new GridResult.Marker(labels.get(1), 1, 0), new GridResult.Marker(labels.get(2), p, 1));
            return new Plane(w1, u, v, markers, null, true);
        }
    }

    /** The 1-D plane w1 + x·(w2 − w1); v is zero. Takes ownership of w1. */
    public static Plane line(Weights w1, Weights w2) {
        return line(w1, w2, List.of(new GridResult.Marker("w1", 0, 0), new GridResult.Marker("w2", 1, 0)),
                "points[0] and points[1] are the same network", null);
    }

    /**
     * The plane of a training run's path ({@link TrajectoryPca}): centred on {@code last}, the final network, with
     * u = s1·d1 and v = s2·d2, s_k the largest |c_ik| on axis k, so that the kept networks lie in [-1, 1]². Takes
     * ownership of {@code last} (parameters, fresh statistics: the file keeps none) and of {@code steps}, which must
     * live in its manager; the last step is {@code last}'s own parameters.
     */
    public static Plane trajectory(Weights last, List<Map<String, NDArray>> steps, List<Integer> epochs) {
        TrajectoryPca.Result pca = TrajectoryPca.of(steps, last.parameterMap(), last.manager());
        double[] scale = new double[2];
        for (double[] c : pca.coordinates()) {
            scale[0] = Math.max(scale[0], Math.abs(c[0]));
            scale[1] = Math.max(scale[1], Math.abs(c[1]));
        }
        double[][] coordinates = new double[steps.size()][2];
        for (int i = 0; i < coordinates.length; i++) {
            coordinates[i][0] = pca.coordinates()[i][0] / scale[0];
            coordinates[i][1] = pca.coordinates()[i][1] / scale[1];
        }
        try (NoGrad noGrad = NoGrad.enter()) {
            Map<String, NDArray> u = TensorMaps.map(pca.d1(), d -> d.mul((float) scale[0]), last.manager());
            Map<String, NDArray> v = TensorMaps.map(pca.d2(), d -> d.mul((float) scale[1]), last.manager());
            pca.d1().values().forEach(NDArray::close);
            pca.d2().values().forEach(NDArray::close);
            List<GridResult.Marker> markers = List.of(
                    new GridResult.Marker("epoch " + epochs.get(0), coordinates[0][0], coordinates[0][1]),
                    new GridResult.Marker("epoch " + epochs.get(epochs.size() - 1), 0, 0));
            Plane plane = new Plane(last, u, v, markers, null, false);
            plane.path = new Path(List.copyOf(epochs), coordinates, List.copyOf(steps), pca.ratio(), scale);
            return plane;
        }
    }

    /**
     * W(x, y) = center + x·u + y·v for given directions (a hessian plane's eigenvectors), copied into the center's
     * manager; the center keeps its batch-norm statistics. Takes ownership of {@code center}.
     */
    public static Plane directions(Weights center, Map<String, NDArray> u, Map<String, NDArray> v, String label) {
        try (NoGrad noGrad = NoGrad.enter()) {
            return new Plane(center, TensorMaps.copy(u, center.manager()), TensorMaps.copy(v, center.manager()),
                    List.of(new GridResult.Marker(label, 0, 0)), null, true);
        }
    }

    /** For a trajectory plane, the run's kept networks and the plane's axes; else null. */
    public Path path() {
        return path;
    }

    /** The same plane, its origin's batch-norm statistics marked as not its own (a simplex's vertices carry none). */
    public static Plane withoutStatistics(Plane plane) {
        return new Plane(plane.origin, plane.u, plane.v, plane.markers, plane.curve, false, plane.swap);
    }

    /**
     * A swap path ({@link dev.valley.worker.science.align.UnitSwap}): the line from θ to {@code swapped}, θ with two
     * units transposed. Takes ownership of θ; the origin's batch-norm statistics are θ's, not the swapped end's, so
     * a network with batch norm must recompute them at every point.
     */
    public static Plane swap(Weights theta, Weights swapped, GridResult.Swap swap) {
        return line(theta, swapped, List.of(new GridResult.Marker("point", 0, 0),
                new GridResult.Marker("swapped", 1, 0)), "units " + swap.units().get(0) + " and "
                + swap.units().get(1) + " of " + swap.group() + " have the same weights: swapping them changes nothing",
                swap);
    }

    private static Plane line(Weights w1, Weights w2, List<GridResult.Marker> markers, String same,
            GridResult.Swap swap) {
        try (NoGrad noGrad = NoGrad.enter()) {
            Map<String, NDArray> u = difference(w2, w1, w1.manager());
            if (!(TensorMaps.dot(u, u) > 0)) {
                throw new IllegalArgumentException(same);
            }
            Map<String, NDArray> v = TensorMaps.map(u, NDArray::zerosLike, w1.manager());
            return new Plane(w1, u, v, markers, null, true, swap);
        }
    }

    /**
     * The plane of a 3-bend curve: {@link #points} through its endpoints and its bend. The curve lies in it: φ(t) −
     * w1 = c1(t)·(θ − w1) + c2(t)·(w2 − w1), so its coordinates are c1·(p, 1) + c2·(1, 0). {@code start},
     * {@code bend} and {@code end} carry no batch-norm statistics of their own.
     */
    public static Plane curve(Weights start, Weights bend, Weights end, CurveKind kind) {
        Plane plane = points(start, end, bend, List.of("w1", "w2", "bend"));
        double p = plane.markers.get(2).x();
        List<GridResult.CurveSample> samples = new ArrayList<>();
        for (int i = 0; i < CURVE_SAMPLES; i++) {
            double t = (double) i / (CURVE_SAMPLES - 1);
            double[] c = kind.coefficients(t, 3);
            samples.add(new GridResult.CurveSample(t, c[1] * p + c[2], c[1]));
        }
        return new Plane(plane.origin, plane.u, plane.v, plane.markers, samples, false);
    }

    /**
     * The plane of a curve whose bend lies on the line through its endpoints (a fit's start, its bend initialised on
     * the line), where no plane passes through the three alone: the plane through the line and {@code axis} (another
     * frame's v, orthogonal to u), the bend at its projection (p, q), q ≈ 0, and the curve likewise. Takes ownership
     * of {@code start}.
     */
    public static Plane curveOnLine(Weights start, Weights bend, Weights end, CurveKind kind,
            Map<String, NDArray> axis) {
        try (NoGrad noGrad = NoGrad.enter(); NDManager scratch = start.manager().newSubManager()) {
            NDManager manager = start.manager();
            Map<String, NDArray> u = difference(end, start, manager);
            Map<String, NDArray> d = difference(bend, start, scratch);
            double uu = TensorMaps.dot(u, u);
            if (!(uu > 0)) {
                throw new IllegalArgumentException("w1 and w2 are the same network: the plane has no x direction");
            }
            double p = TensorMaps.dot(d, u) / uu;
            double q = TensorMaps.dot(d, axis) / TensorMaps.dot(axis, axis);
            Map<String, NDArray> v = TensorMaps.copy(axis, manager);
            List<GridResult.Marker> markers = List.of(new GridResult.Marker("w1", 0, 0),
                    new GridResult.Marker("w2", 1, 0), new GridResult.Marker("bend", p, q));
            List<GridResult.CurveSample> samples = new ArrayList<>();
            for (int i = 0; i < CURVE_SAMPLES; i++) {
                double t = (double) i / (CURVE_SAMPLES - 1);
                double[] c = kind.coefficients(t, 3);
                samples.add(new GridResult.CurveSample(t, c[1] * p + c[2], c[1] * q));
            }
            return new Plane(start, u, v, markers, samples, false);
        }
    }

    /**
     * Two Gaussian directions (each element N(0, 1), drawn on the host from {@code seed}, d1 then d2, tensor by
     * tensor in the architecture's order), scaled as Li et al. 2018's {@code normalize_directions_for_weights}
     * does: per filter (each slice along dimension 0 gets the norm of the weights' slice), per layer (the tensor
     * gets the weights' norm) or not at all. A 1-D tensor is a bias or a batch-norm scale or shift: its direction is
     * zero where {@code ignore} names its kind, and otherwise the weights themselves, as in the reference code.
     * Takes ownership of {@code center}.
     */
    public static Plane random(Weights center, String normalization, Set<String> ignore, long seed) {
        try (NoGrad noGrad = NoGrad.enter()) {
            SplittableRandom random = new SplittableRandom(seed);
            Map<String, NDArray> d1 = direction(center, normalization, ignore, random);
            Map<String, NDArray> d2 = direction(center, normalization, ignore, random);
            return new Plane(center, d1, d2, List.of(new GridResult.Marker("center", 0, 0)), null, true);
        }
    }

    /** Each tensor's direction in the center's manager; the intermediates of its scaling in a scratch manager. */
    private static Map<String, NDArray> direction(Weights center, String normalization, Set<String> ignore,
            SplittableRandom random) {
        try (NDManager scratch = center.manager().newSubManager()) {
            Map<String, NDArray> direction = direction(center, normalization, ignore, random, scratch);
            direction.values().forEach(d -> d.attach(center.manager()));
            return direction;
        }
    }

    private static Map<String, NDArray> direction(Weights center, String normalization, Set<String> ignore,
            SplittableRandom random, NDManager scratch) {
        Architecture architecture = center.architecture();
        Map<String, NDArray> direction = new LinkedHashMap<>();
        for (TensorSpec spec : architecture.tensors()) {
            if (!spec.isParameter()) {
                continue;
            }
            NDArray w = center.get(spec.name()).duplicate();
            w.attach(scratch);
            long[] shape = spec.shape().getShape();
            float[] values = new float[Math.toIntExact(spec.shape().size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NDArray d;
            if (shape.length <= 1) {
                String kind = isBatchNorm(architecture, spec.name()) ? "batchnorm" : "bias";
                d = ignore.contains(kind) ? w.zerosLike() : w.duplicate();
            } else {
                d = scratch.create(values, spec.shape());
                d = switch (normalization) {
                    case "filter" -> {
                        NDArray flat = d.reshape(shape[0], -1);
                        NDArray scale = w.reshape(shape[0], -1).norm(new int[] {1}, true)
                                .div(flat.norm(new int[] {1}, true).add(1e-10f));
                        yield flat.mul(scale).reshape(spec.shape());
                    }
                    case "layer" -> d.mul(w.norm().div(d.norm().add(1e-10f)));
                    case "none" -> d;
                    default -> throw new IllegalArgumentException("unknown normalization " + normalization);
                };
            }
            direction.put(spec.name(), d);
        }
        return direction;
    }

    /** {@code prefix.weight} or {@code prefix.bias} of a layer that also has {@code prefix.running_mean}. */
    static boolean isBatchNorm(Architecture architecture, String name) {
        String prefix = name.substring(0, name.lastIndexOf('.') + 1); // "" for a module's own top-level tensor
        return architecture.tensors().stream().anyMatch(s -> s.name().equals(prefix + "running_mean"));
    }

    private static Map<String, NDArray> difference(Weights to, Weights from, NDManager manager) {
        return TensorMaps.zip(to.parameterMap(), from.parameterMap(), NDArray::sub, manager);
    }

    public Architecture architecture() {
        return origin.architecture();
    }

    public Weights origin() {
        return origin;
    }

    public NDArray u(String name) {
        return u.get(name);
    }

    /** The y direction, by parameter name. */
    Map<String, NDArray> vMap() {
        return v;
    }

    public NDArray v(String name) {
        return v.get(name);
    }

    public List<GridResult.Marker> markers() {
        return markers;
    }

    /** The curve's samples for a curve plane, else null. */
    public List<GridResult.CurveSample> curve() {
        return curve;
    }

    /** For a swap plane, the units swapped (without metrics), else null. */
    public GridResult.Swap swap() {
        return swap;
    }

    /** Whether the origin's batch-norm statistics belong to it (false for a curve's bends, which have none). */
    public boolean originHasStatistics() {
        return originHasStatistics;
    }

    public long parameterCount() {
        return origin.parameterCount();
    }

    public NDManager manager() {
        return origin.manager();
    }

    @Override
    public void close() {
        origin.close();
    }
}
