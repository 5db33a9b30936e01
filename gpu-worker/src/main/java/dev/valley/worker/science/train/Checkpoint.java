package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.io.SafeTensors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of a training loop after an epoch, as one safetensors file: {@code model.{name}} (every tensor of the
 * network), {@code momentum.{name}} (SGD's buffer of each parameter), and what the job adds (an average, say);
 * {@code __metadata__} has {@code format} {@code valley/checkpoint-v1}, {@code epoch} and the job's own entries.
 * Built only when it is due, and serialised before the loop goes on.
 */
public final class Checkpoint {
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public Checkpoint(int epoch) {
        metadata.put("format", "valley/checkpoint-v1");
        metadata.put("epoch", Integer.toString(epoch));
    }

    public Checkpoint put(String prefix, Map<String, NDArray> named) {
        named.forEach((name, array) -> tensors.put(prefix + "." + name, array));
        return this;
    }

    public Checkpoint meta(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public byte[] bytes() {
        return SafeTensors.write(tensors, metadata);
    }

    /** A checkpoint read back: the epoch it was taken after, its tensors by prefix, and its metadata. */
    public record Restored(int epoch, SafeTensors.Contents contents) {
        /** The tensors stored under {@code prefix}, named without it, as a safetensors file's contents. */
        public SafeTensors.Contents part(String prefix) {
            Map<String, SafeTensors.HostTensor> part = new LinkedHashMap<>();
            contents.tensors().forEach((name, t) -> {
                if (name.startsWith(prefix + ".")) {
                    part.put(name.substring(prefix.length() + 1), t);
                }
            });
            return new SafeTensors.Contents(part, contents.metadata());
        }

        public String meta(String key) {
            return contents.metadata().get(key);
        }

        /** A metadata entry the writer always puts; its absence means the file is not this job's checkpoint. */
        public String required(String key) {
            String value = meta(key);
            if (value == null) {
                throw new IllegalArgumentException("checkpoint has no " + key);
            }
            return value;
        }

        /**
         * Overwrites each of {@code targets} in place with the tensor stored as {@code prefix.{name}}: the arrays
         * stay where they are (their device, their manager, their role as parameters). Call with autograd off.
         */
        public void copyInto(String prefix, Map<String, NDArray> targets) {
            Map<String, SafeTensors.HostTensor> stored = part(prefix).tensors();
            targets.forEach((name, target) -> {
                SafeTensors.HostTensor t = stored.get(name);
                if (t == null) {
                    throw new IllegalArgumentException("checkpoint has no " + prefix + "." + name);
                }
                if (!java.util.Arrays.equals(t.shape(), target.getShape().getShape())) {
                    throw new IllegalArgumentException("checkpoint's " + prefix + "." + name + " has shape "
                            + java.util.Arrays.toString(t.shape()) + ", not " + target.getShape());
                }
                switch (t.dtype()) {
                    case "F32" -> target.set(t.floats());
                    case "I64" -> target.set(t.longs());
                    default -> throw new IllegalArgumentException("checkpoint's " + prefix + "." + name + " is "
                            + t.dtype());
                }
            });
        }

        /** The tensors stored under {@code prefix}, as new arrays of {@code manager} (on its device). */
        public Map<String, NDArray> arrays(String prefix, NDManager manager) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            part(prefix).tensors().forEach((name, t) -> arrays.put(name, t.create(manager, prefix + "." + name)));
            return arrays;
        }
    }

    /** Reads a checkpoint this class wrote; anything else is refused with the reason. */
    public static Restored read(byte[] file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        if (!"valley/checkpoint-v1".equals(contents.metadata().get("format"))) {
            throw new IllegalArgumentException("not a Valley checkpoint: format " + contents.metadata().get("format"));
        }
        return new Restored(Integer.parseInt(contents.metadata().get("epoch")), contents);
    }
}
