package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.valley.worker.science.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Operations over a network's named tensors (name → array), one call for all of them, as torch's {@code _foreach_*}
 * functions work on lists of tensors. Each element's work runs in a scope of its own: intermediates are freed, and
 * only the results are kept, by the manager the caller names.
 */
public final class TensorMaps {
    private TensorMaps() {
    }

    /** {@code f(a[name])} for every name. */
    public static Map<String, NDArray> map(Map<String, NDArray> a, UnaryOperator<NDArray> f, NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        a.forEach((name, x) -> {
            try (NDManager scope = into.newSubManager()) {
                scope.tempAttachAll(x);
                NDArray result = f.apply(x);
                result.attach(into);
                out.put(name, result);
            }
        });
        return out;
    }

    /** {@code f(a[name], b[name])} for every name of {@code a}. */
    public static Map<String, NDArray> zip(Map<String, NDArray> a, Map<String, NDArray> b, BinaryOperator<NDArray> f,
            NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        a.forEach((name, x) -> {
            try (NDManager scope = into.newSubManager()) {
                NDArray y = b.get(name);
                scope.tempAttachAll(x, y);
                NDArray result = f.apply(x, y);
                result.attach(into);
                out.put(name, result);
            }
        });
        return out;
    }

    /** Copies that need no gradient: fixed tensors, or a leaf to be made. */
    public static Map<String, NDArray> copy(Map<String, NDArray> a, NDManager into) {
        Map<String, NDArray> copies = map(a, NDArray::duplicate, into);
        copies.values().forEach(c -> c.setRequiresGradient(false));
        return copies;
    }

    /** {@code self[name] += weight · (end[name] − self[name])}, in place: torch's {@code _foreach_lerp_}. */
    public static void lerp(Map<String, NDArray> self, Map<String, NDArray> end, double weight) {
        self.forEach((name, s) -> {
            try (NDManager scope = s.getManager().newSubManager()) {
                NDArray e = end.get(name);
                scope.tempAttachAll(s, e);
                s.addi(e.sub(s).muli(Scalars.of(scope, weight)));
            }
        });
    }

    /** Σ a·b over every tensor, in float64; the float64 copies live only for the call. */
    public static double dot(Map<String, NDArray> a, Map<String, NDArray> b) {
        double sum = 0;
        for (Map.Entry<String, NDArray> e : a.entrySet()) {
            try (NDManager scope = e.getValue().getManager().newSubManager()) {
                NDArray x = e.getValue().toType(DataType.FLOAT64, true);
                x.attach(scope);
                NDArray y = b.get(e.getKey()).toType(DataType.FLOAT64, true);
                y.attach(scope);
                sum += x.mul(y).sum().getDouble();
            }
        }
        return sum;
    }
}
