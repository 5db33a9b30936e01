package dev.valley.worker.science.model;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One named tensor of an architecture. Parameters are what SGD, curves, averages and planes move; buffers are
 * batch-norm statistics, recomputed rather than learned.
 */
public record TensorSpec(String name, Shape shape, Role role, DataType dataType) {
    public enum Role { PARAMETER, BUFFER }

    public static TensorSpec parameter(String name, long... shape) {
        return new TensorSpec(name, new Shape(shape), Role.PARAMETER, DataType.FLOAT32);
    }

    public static TensorSpec buffer(String name, DataType dataType, long... shape) {
        return new TensorSpec(name, new Shape(shape), Role.BUFFER, dataType);
    }

    /** The worker's form of a tensor of {@link dev.valley.model.layout.ModelLayout}. */
    public static TensorSpec of(dev.valley.model.layout.ModelLayout.Tensor t) {
        return new TensorSpec(t.name(), new Shape(t.shape()), t.parameter() ? Role.PARAMETER : Role.BUFFER,
                switch (t.dtype()) {
                    case "F32" -> DataType.FLOAT32;
                    case "I64" -> DataType.INT64;
                    default -> throw new IllegalArgumentException(t.name() + ": dtype " + t.dtype());
                });
    }

    public static java.util.List<TensorSpec> of(java.util.List<dev.valley.model.layout.ModelLayout.Tensor> layout) {
        return layout.stream().map(TensorSpec::of).toList();
    }

    public boolean isParameter() {
        return role == Role.PARAMETER;
    }
}
