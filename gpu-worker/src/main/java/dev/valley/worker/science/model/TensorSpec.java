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

    public boolean isParameter() {
        return role == Role.PARAMETER;
    }
}
