package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Weights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The weights a train job keeps along its way, for a grid's trajectory plane (Li et al. 2018, §7): its parameters
 * at the epochs {@code due} (0 is the start, before the first step). {@link #FILE}: {@code steps.{i}.{name}}, the
 * i-th kept network's parameters, {@code __metadata__} {@code format} {@code valley/trajectory-v1} and
 * {@code epochs} ("0,2,4,…", the i-th's epoch) beside the run's own. A checkpoint carries the kept ones, so a resumed
 * run keeps the same. A curve keeps its bends the same way ({@code curve-history.safetensors}, for a grid's frames).
 */
public final class Trajectory {
    public static final String FILE = "trajectory.safetensors";
    public static final String FORMAT = "valley/trajectory-v1";
    private final List<Integer> due;
    private final NDManager kept;
    private final String format;
    private final String prefix;
    private final Map<Integer, Map<String, NDArray>> steps = new TreeMap<>();

    public Trajectory(List<Integer> due, NDManager kept) {
        this(due, kept, FORMAT, "steps");
    }

    /** Kept tensors of any kind (a curve's bends): the file names them {@code prefix.{i}.{name}}, in {@code format}. */
    public Trajectory(List<Integer> due, NDManager kept, String format, String prefix) {
        this.due = List.copyOf(due);
        this.kept = kept;
        this.format = format;
        this.prefix = prefix;
    }

    /** Copies the network's parameters when {@code epoch} is due. */
    public void take(int epoch, Weights weights) {
        take(epoch, weights.parameterMap());
    }

    /** Copies the named tensors when {@code epoch} is due. */
    public void take(int epoch, Map<String, NDArray> tensors) {
        if (!due.contains(epoch) || steps.containsKey(epoch)) {
            return;
        }
        try (NoGrad noGrad = NoGrad.enter()) {
            Map<String, NDArray> copy = new LinkedHashMap<>();
            tensors.forEach((name, array) -> {
                NDArray c = array.duplicate();
                c.attach(kept);
                copy.put(name, c);
            });
            steps.put(epoch, copy);
        }
    }

    /** The kept networks an earlier attempt's checkpoint holds. */
    public void restore(Checkpoint.Restored restored) {
        String epochs = restored.meta("trajectoryEpochs");
        if (epochs == null || epochs.isEmpty()) {
            return;
        }
        for (String e : epochs.split(",")) {
            steps.put(Integer.parseInt(e), restored.arrays("trajectory." + e, kept));
        }
    }

    /** The kept networks added to a training checkpoint. */
    public Checkpoint into(Checkpoint checkpoint) {
        steps.forEach((epoch, tensors) -> checkpoint.put("trajectory." + epoch, tensors));
        return checkpoint.meta("trajectoryEpochs", epochs());
    }

    private String epochs() {
        return steps.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** The file; {@code metadata}: the run's own entries, to which the format and the epochs are added. */
    public byte[] file(Map<String, String> metadata) {
        return file(metadata, Map.of());
    }

    /** The file with {@code extra} tensors beside the kept ones, under their own names. */
    public byte[] file(Map<String, String> metadata, Map<String, NDArray> extra) {
        if (!steps.keySet().containsAll(due)) {
            throw new IllegalStateException("the trajectory kept epochs " + steps.keySet() + " of " + due);
        }
        Map<String, NDArray> named = new LinkedHashMap<>(extra);
        int i = 0;
        for (Map<String, NDArray> tensors : steps.values()) {
            int index = i++;
            tensors.forEach((name, array) -> named.put(prefix + "." + index + "." + name, array));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", format);
        meta.put("epochs", epochs());
        return SafeTensors.write(named, meta);
    }
}
