package dev.valley.worker.science.curve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parametric curve in weight space, φ(t) = Σ_k c_k(t)·θ_k, over the parameters of one architecture. Bend 0 and
 * the last bend are the endpoints and never move; the interior bends are what curve training fits. Batch-norm
 * statistics are not part of the curve: training keeps one shared set, and every evaluated point gets its own.
 */
public final class Curve implements AutoCloseable {
    private final CurveKind kind;
    private final Architecture architecture;
    private final NDManager manager;
    /** bends.get(k): parameter name → θ_k. */
    private final List<Map<String, NDArray>> bends;

    private Curve(CurveKind kind, Architecture architecture, NDManager manager, List<Map<String, NDArray>> bends) {
        this.kind = kind;
        this.architecture = architecture;
        this.manager = manager;
        this.bends = bends;
    }

    /**
     * A curve from {@code start} to {@code end} with {@code count} bends. Interior bend k starts on the straight
     * line at k/(count − 1) when {@code initLinear} (so a Bezier curve starts as the line itself), else as a
     * freshly initialised network of seed {@code seed + k}.
     */
    public static Curve between(CurveKind kind, int count, Weights start, Weights end, boolean initLinear, long seed,
            NDManager parent) {
        if (count < 2) {
            throw new IllegalArgumentException("a curve needs at least its two endpoints, got " + count + " bends");
        }
        Architecture architecture = start.architecture();
        NDManager manager = parent.newSubManager();
        try (NoGrad noGrad = NoGrad.enter()) {
            return new Curve(kind, architecture, manager, bends(count, start, end, initLinear, seed, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static List<Map<String, NDArray>> bends(int count, Weights start, Weights end, boolean initLinear,
            long seed, NDManager manager) {
        Architecture architecture = start.architecture();
        List<Map<String, NDArray>> bends = new ArrayList<>();
        bends.add(TensorMaps.copy(start.parameterMap(), manager));
        for (int k = 1; k < count - 1; k++) {
            double alpha = (double) k / (count - 1);
            Map<String, NDArray> bend = new LinkedHashMap<>();
            if (initLinear) {
                for (String name : start.parameterMap().keySet()) {
                    NDArray a = start.get(name).mul((float) (1 - alpha));
                    bend.put(name, a.addi(end.get(name).mul((float) alpha)));
                }
            } else {
                try (Weights fresh = architecture.initialize(manager, seed + k)) {
                    bend.putAll(TensorMaps.copy(fresh.parameterMap(), manager));
                }
            }
            bend.values().forEach(a -> a.attach(manager));
            bends.add(bend);
        }
        bends.add(TensorMaps.copy(end.parameterMap(), manager));
        return bends;
    }

    /** The straight line from {@code start} to {@code end}: a curve of two bends. */
    public static Curve line(Weights start, Weights end, NDManager parent) {
        return between(CurveKind.BEZIER, 2, start, end, true, 0, parent);
    }


    public CurveKind kind() {
        return kind;
    }

    public Architecture architecture() {
        return architecture;
    }

    public int bendCount() {
        return bends.size();
    }

    public NDManager manager() {
        return manager;
    }

    /** The tensors of bend k, by parameter name. */
    public Map<String, NDArray> bend(int k) {
        return bends.get(k);
    }

    /** Every interior bend's tensors, bend by bend, in the architecture's order: what the optimiser moves. */
    public List<NDArray> interiorParameters() {
        List<NDArray> result = new ArrayList<>();
        for (int k = 1; k < bends.size() - 1; k++) {
            result.addAll(bends.get(k).values());
        }
        return result;
    }

    /**
     * φ(t) as weights whose parameters are new tensors in {@code scope} and whose batch-norm statistics are
     * {@code buffers} (shared, not copied). Bends whose coefficient is 0 cost nothing.
     */
    public Weights point(double[] coefficients, NDManager scope, Map<String, NDArray> buffers) {
        return combination(architecture, bends, coefficients, scope, buffers);
    }

    /**
     * Σ_k c_k·θ_k over the parameters of {@code members} (each a parameter name → tensor map), as weights of new
     * tensors in {@code scope} with {@code buffers} as their batch-norm statistics: a curve's point, a simplex's.
     */
    public static Weights combination(Architecture architecture, List<Map<String, NDArray>> members,
            double[] coefficients, NDManager scope, Map<String, NDArray> buffers) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<NDArray> scalars = new ArrayList<>();
        for (double c : coefficients) {
            scalars.add(c == 0 ? null : Scalars.of(scope, c));
        }
        for (TensorSpec spec : architecture.tensors()) {
            if (!spec.isParameter()) {
                tensors.put(spec.name(), buffers.get(spec.name()));
                continue;
            }
            NDArray sum = null;
            for (int k = 0; k < members.size(); k++) {
                if (scalars.get(k) == null) {
                    continue;
                }
                NDArray term = members.get(k).get(spec.name()).mul(scalars.get(k));
                term.attach(scope);
                if (sum == null) {
                    sum = term;
                } else {
                    sum.addi(term);
                    term.close();
                }
            }
            tensors.put(spec.name(), sum);
        }
        return Weights.view(architecture, scope, tensors);
    }

    public Weights point(double t, NDManager scope, Map<String, NDArray> buffers) {
        return point(kind.coefficients(t, bends.size()), scope, buffers);
    }

    /** Every bend's tensors as {@code bends.{k}.{name}}, for curve.safetensors. */
    public Map<String, NDArray> namedTensors() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (int k = 0; k < bends.size(); k++) {
            for (Map.Entry<String, NDArray> e : bends.get(k).entrySet()) {
                named.put("bends." + k + "." + e.getKey(), e.getValue());
            }
        }
        return named;
    }

    @Override
    public void close() {
        manager.close();
    }
}
