package dev.valley.worker.science.hessian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Hessian's spectrum from its products alone, as PyHessian computes it (Yao et al. 2020, "PyHessian: Neural
 * networks through the lens of the Hessian"; the reference functions are {@code hessian.eigenvalues} and
 * {@code hessian.trace} of its {@code pyhessian/hessian.py}).
 *
 * <p><b>Eigenvalues</b>, by power iteration with deflation. For the n-th: v ~ N(0, I), normalised; each iteration
 * orthonormalises v against the eigenvectors found before (Gram–Schmidt: v ← v − Σₑ (v·e)e, then v/‖v‖), takes
 * λ = vᵀHv and v ← Hv/‖Hv‖, and stops once |λ − λ_prev| / (|λ_prev| + 10⁻⁶) &lt; tolerance, or after
 * {@code maxIterations} products. It finds the largest-magnitude eigenvalue of H on the complement of the
 * eigenvectors found before. Reported: λ = vᵀHv for the last v (PyHessian keeps the one before), that unit v (its sign
 * chosen so that its entries sum to a positive number, so that two runs agree), and the residual ‖Hv − λv‖, which is
 * 0 for an exact eigenpair.
 *
 * <p><b>Trace</b>, by Hutchinson's estimator: tr H = E[zᵀHz] for z with independent ±1 entries (Rademacher). The
 * estimate is the mean over {@code probes} draws and its standard error s/√probes. Where the network has no more
 * parameters than probes, the trace is computed exactly as Σᵢ eᵢᵀHeᵢ over unit vectors instead, for no more products.
 *
 * <p>Starting vectors and probes are drawn on the host from the seed, so a seed gives the same numbers on every
 * device.
 */
public final class HessianSpectrum {
    /** Vectors that share one forward and first backward pass. */
    static final int CHUNK = 10;

    private HessianSpectrum() {
    }

    /** An eigenpair: the value, the unit vector by parameter name, the products it took, and its residual. */
    public record Eigen(double value, Map<String, NDArray> vector, int iterations, boolean converged,
            double residual) {
    }

    /** tr H, its standard error (0 when exact), the vectors it took, and whether it is exact. */
    public record Trace(double value, double standardError, int probes, boolean exact) {
    }

    /** Told after each product; may stop the run by throwing. */
    public interface Progress {
        void done(long products, String text);
    }

    /** The {@code top} largest-magnitude eigenpairs, in the order found; their vectors live in {@code into}. */
    public static List<Eigen> eigenvalues(HessianVectorProducts h, int top, double tolerance, int maxIterations,
            long seed, NDManager into, Progress progress) {
        return eigenvalues(h, List.of(), top, tolerance, maxIterations, seed, into, progress);
    }

    /** The next {@code top} eigenpairs after those {@code before} (which deflate them), in the order found. */
    public static List<Eigen> eigenvalues(HessianVectorProducts h, List<Eigen> before, int top, double tolerance,
            int maxIterations, long seed, NDManager into, Progress progress) {
        Map<String, Shape> shapes = shapes(h);
        List<Eigen> all = new ArrayList<>(before);
        List<Eigen> found = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int n = 0; n < top; n++) {
                NDManager scope = into.newSubManager();
                Map<String, NDArray> v = gaussian(shapes, random, scope);
                scale(v, 1 / Math.sqrt(TensorMaps.dot(v, v)));
                Double previous = null;
                double lambda = 0;
                Map<String, NDArray> hv = null;
                int iterations = 0;
                boolean converged = false;
                while (iterations < maxIterations) {
                    for (Eigen e : all) {
                        axpy(v, -TensorMaps.dot(v, e.vector()), e.vector());
                    }
                    scale(v, 1 / Math.sqrt(TensorMaps.dot(v, v)));
                    hv = h.apply(List.of(v), scope).get(0);
                    iterations++;
                    lambda = TensorMaps.dot(v, hv);
                    progress.done(h.products(), "eigenvalue " + (all.size() + 1) + ": iteration " + iterations
                            + ", λ = " + String.format("%.6g", lambda));
                    if (previous != null && Math.abs(previous - lambda) / (Math.abs(previous) + 1e-6) < tolerance) {
                        converged = true;
                        break;
                    }
                    previous = lambda;
                    if (iterations < maxIterations) {
                        Map<String, NDArray> next = TensorMaps.map(hv, a -> a.duplicate(), scope);
                        close(v);
                        close(hv);
                        v = next;
                        scale(v, 1 / Math.sqrt(TensorMaps.dot(v, v)));
                    }
                }
                double l = lambda;
                Map<String, NDArray> r = TensorMaps.zip(hv, v, (a, b) -> a.sub(b.mul((float) l)), scope);
                double residual = Math.sqrt(TensorMaps.dot(r, r));
                close(r);
                close(hv);
                double sum = 0;
                for (NDArray a : v.values()) {
                    sum += a.sum().getFloat();
                }
                if (sum < 0) {
                    scale(v, -1);
                }
                Eigen eigen = new Eigen(lambda, v, iterations, converged, residual);
                found.add(eigen);
                all.add(eigen);
            }
        }
        return found;
    }

    /** Hutchinson's estimate from {@code probes} Rademacher vectors, or the exact trace where it costs no more. */
    public static Trace trace(HessianVectorProducts h, int probes, long seed, NDManager into, Progress progress) {
        Map<String, Shape> shapes = shapes(h);
        long parameters = shapes.values().stream().mapToLong(Shape::size).sum();
        try (NoGrad noGrad = NoGrad.enter()) {
            return parameters <= probes ? exactTrace(h, shapes, Math.toIntExact(parameters), into, progress)
                    : hutchinson(h, shapes, probes, seed, into, progress);
        }
    }

    private static Trace hutchinson(HessianVectorProducts h, Map<String, Shape> shapes, int probes, long seed,
            NDManager into, Progress progress) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x7ace5eedL);
        double[] samples = new double[probes];
        for (int from = 0; from < probes; from += CHUNK) {
            int count = Math.min(CHUNK, probes - from);
            try (NDManager scope = into.newSubManager()) {
                List<Map<String, NDArray>> zs = new ArrayList<>();
                for (int j = 0; j < count; j++) {
                    zs.add(rademacher(shapes, random, scope));
                }
                List<Map<String, NDArray>> hz = h.apply(zs, scope);
                for (int j = 0; j < count; j++) {
                    samples[from + j] = TensorMaps.dot(zs.get(j), hz.get(j));
                }
            }
            progress.done(h.products(), "trace: " + (from + count) + " of " + probes + " probes");
        }
        double mean = 0;
        for (double s : samples) {
            mean += s / probes;
        }
        double squares = 0;
        for (double s : samples) {
            squares += (s - mean) * (s - mean);
        }
        double standardError = probes > 1 ? Math.sqrt(squares / (probes - 1) / probes) : Double.NaN;
        return new Trace(mean, standardError, probes, false);
    }

    /** Σᵢ (Heᵢ)ᵢ over every parameter i, the unit vectors in chunks. */
    private static Trace exactTrace(HessianVectorProducts h, Map<String, Shape> shapes, int parameters,
            NDManager into, Progress progress) {
        double trace = 0;
        for (int from = 0; from < parameters; from += CHUNK) {
            int count = Math.min(CHUNK, parameters - from);
            try (NDManager scope = into.newSubManager()) {
                List<Map<String, NDArray>> units = new ArrayList<>();
                for (int j = 0; j < count; j++) {
                    units.add(unit(shapes, from + j, scope));
                }
                List<Map<String, NDArray>> products = h.apply(units, scope);
                for (int j = 0; j < count; j++) {
                    trace += TensorMaps.dot(units.get(j), products.get(j));
                }
            }
            progress.done(h.products(), "trace: " + (from + count) + " of " + parameters + " unit vectors");
        }
        return new Trace(trace, 0, parameters, true);
    }

    private static Map<String, Shape> shapes(HessianVectorProducts h) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        h.network().parameterMap().forEach((name, array) -> shapes.put(name, array.getShape()));
        return shapes;
    }

    private static Map<String, NDArray> gaussian(Map<String, Shape> shapes, SplittableRandom random,
            NDManager manager) {
        Map<String, NDArray> v = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            v.put(name, manager.create(values, shape));
        });
        return v;
    }

    private static Map<String, NDArray> rademacher(Map<String, Shape> shapes, SplittableRandom random,
            NDManager manager) {
        Map<String, NDArray> v = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextBoolean() ? 1f : -1f;
            }
            v.put(name, manager.create(values, shape));
        });
        return v;
    }

    /** eᵢ: 1 at the i-th parameter, counting through the tensors in order, 0 elsewhere. */
    private static Map<String, NDArray> unit(Map<String, Shape> shapes, int index, NDManager manager) {
        Map<String, NDArray> v = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            float[] values = new float[Math.toIntExact(e.getValue().size())];
            if (index >= offset && index < offset + values.length) {
                values[(int) (index - offset)] = 1f;
            }
            offset += values.length;
            v.put(e.getKey(), manager.create(values, e.getValue()));
        }
        return v;
    }

    /** {@code y += a·x}, in place. */
    private static void axpy(Map<String, NDArray> y, double a, Map<String, NDArray> x) {
        y.forEach((name, yi) -> {
            try (NDManager scope = yi.getManager().newSubManager()) {
                NDArray xi = x.get(name);
                scope.tempAttachAll(xi);
                yi.addi(xi.mul((float) a));
            }
        });
    }

    private static void scale(Map<String, NDArray> v, double a) {
        v.values().forEach(x -> x.muli((float) a));
    }

    private static void close(Map<String, NDArray> v) {
        v.values().forEach(NDArray::close);
    }
}
