package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.io.SafeTensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A complete set of named tensors for one architecture, all owned by one manager on one device. Models are
 * functions of Weights, so a curve point, an average or a grid point is just another Weights.
 */
public final class Weights implements AutoCloseable {
    private final Architecture architecture;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;

    Weights(Architecture architecture, NDManager manager, Map<String, NDArray> tensors) {
        this.architecture = architecture;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Takes ownership of {@code tensors}, which must match the architecture's names and shapes exactly. */
    public static Weights of(Architecture architecture, NDManager manager, Map<String, NDArray> tensors) {
        List<String> problems = architecture.mismatches(tensors);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit " + architecture.describe() + ": "
                    + String.join("; ", problems));
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (TensorSpec spec : architecture.tensors()) {
            NDArray array = tensors.get(spec.name());
            array.attach(manager);
            ordered.put(spec.name(), array);
        }
        return new Weights(architecture, manager, ordered);
    }

    /**
     * Tensors made elsewhere, seen as the architecture's weights without a copy and without a check: a curve point
     * or an average built tensor by tensor. {@link #close()} closes {@code manager}, so pass the scope that owns
     * the point, not the one that owns the tensors it shares.
     */
    public static Weights view(Architecture architecture, NDManager manager, Map<String, NDArray> tensors) {
        return new Weights(architecture, manager, tensors);
    }

    /** The weights of a safetensors file, checked against the architecture (every offending tensor is named). */
    public static Weights load(Architecture architecture, NDManager parent, SafeTensors.Contents contents) {
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            contents.tensors().forEach((name, t) -> tensors.put(name, t.create(manager, name)));
            return of(architecture, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The weights of a job's input, a safetensors file: a refusal names the spec {@code field} it came from. */
    public static Weights load(Architecture architecture, NDManager parent, byte[] safetensors, String field) {
        try {
            return load(architecture, parent, SafeTensors.read(safetensors));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** A deep copy in a sub-manager of {@code parent}; its parameters require gradients when {@code trainable}. */
    public Weights copy(NDManager parent, boolean trainable) {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        for (TensorSpec spec : architecture.tensors()) {
            NDArray copy = tensors.get(spec.name()).duplicate();
            copy.attach(manager);
            copy.setRequiresGradient(trainable && spec.isParameter());
            copies.put(spec.name(), copy);
        }
        return new Weights(architecture, manager, copies);
    }

    /** The parameters (not the buffers) by name, in the architecture's order. */
    public Map<String, NDArray> parameterMap() {
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (TensorSpec spec : architecture.tensors()) {
            if (spec.isParameter()) {
                result.put(spec.name(), tensors.get(spec.name()));
            }
        }
        return result;
    }

    public Architecture architecture() {
        return architecture;
    }

    public NDManager manager() {
        return manager;
    }

    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new NoSuchElementException("no tensor " + name + " in " + architecture.describe());
        }
        return array;
    }

    /** All tensors in the architecture's order. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /** The trainable tensors, in the architecture's order. */
    public List<NDArray> parameters() {
        return architecture.tensors().stream().filter(TensorSpec::isParameter).map(s -> tensors.get(s.name())).toList();
    }

    public long parameterCount() {
        return architecture.tensors().stream().filter(TensorSpec::isParameter).mapToLong(s -> s.shape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
