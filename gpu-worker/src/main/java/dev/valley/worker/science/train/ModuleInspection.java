package dev.valley.worker.science.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.InspectResult;
import dev.valley.model.job.InspectSpec;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.TorchScriptNetwork;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Whether an uploaded TorchScript module can be used on its dataset, and what it is: it loads, one forward pass on
 * two of the dataset's training examples in eval mode and one in train mode give float logits of shape
 * [2, classes], and it has parameters. Every refusal says what to fix. The archive's own weights come back as
 * safetensors under the module's {@code state_dict} names.
 */
public final class ModuleInspection {
    private static final int BATCH = 2;

    private ModuleInspection() {
    }

    public record Output(InspectResult result, byte[] safetensors) {
    }

    public static Output run(InspectSpec spec, DatasetCatalog datasets, Device device) {
        long start = System.nanoTime();
        DatasetSplits data = datasets.load(spec.dataset(), 0);
        List<Long> input = new ArrayList<>(List.of((long) BATCH));
        Arrays.stream(data.sampleShape()).forEach(input::add);
        try (NDManager manager = NDManager.newBaseManager(device);
                TorchScriptNetwork net = (TorchScriptNetwork) Architectures.of(ModelSpec.torchscript(spec.module()),
                        data.sampleShape(), data.outputs(), datasets::module, manager);
                Weights archive = net.archiveWeights(manager);
                Weights probe = net.archiveWeights(manager);
                DeviceData two = DeviceData.of(manager, data.train().select(new int[] {0, 1}))) {
            if (archive.parameterCount() == 0) {
                throw new IllegalArgumentException("the module has no parameters: there is nothing to train, average"
                        + " or move along a plane");
            }
            List<Long> output = null;
            for (Mode mode : List.of(Mode.EVAL, Mode.TRAIN)) {
                String inMode = mode == Mode.EVAL ? "eval" : "train";
                NDArray out;
                try (NoGrad noGrad = NoGrad.enter()) {
                    out = net.forward(probe, two.x(), mode);
                } catch (RuntimeException e) {
                    Throwable cause = e.getCause() instanceof ai.djl.engine.EngineException ? e.getCause() : e;
                    throw new IllegalArgumentException("forward on a " + input + " batch of " + spec.dataset()
                            + " in " + inMode + " mode failed: " + TorchScriptNetwork.reason(cause.getMessage()), e);
                }
                Shape expected = new Shape(BATCH, data.outputs());
                if (!out.getShape().equals(expected)) {
                    throw new IllegalArgumentException("output has shape " + sizes(out.getShape()) + " in " + inMode
                            + " mode; " + spec.dataset() + (data.isRegression() ? " is a regression (one prediction"
                            + " per example)" : " has " + data.classes() + " classes") + ", so Valley needs ["
                            + BATCH + ", " + data.outputs() + "]");
                }
                if (out.getDataType() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("output is " + out.getDataType() + " in " + inMode
                            + " mode; Valley needs float32 logits");
                }
                output = sizes(out.getShape());
            }
            List<InspectResult.Tensor> tensors = new ArrayList<>();
            List<String> noRule = new ArrayList<>();
            for (TensorSpec t : net.tensors()) {
                TorchScriptNetwork.Rule rule = net.rule(t);
                tensors.add(new InspectResult.Tensor(t.name(), sizes(t.shape()), t.dataType().toString(),
                        t.isParameter() ? "parameter" : "buffer", rule.name().toLowerCase(java.util.Locale.ROOT)));
                if (rule == TorchScriptNetwork.Rule.ARCHIVE) {
                    noRule.add(t.name());
                }
            }
            Map<String, String> metadata = Workspace.metadata(net, data, "valley/model-v1", spec);
            InspectResult result = new InspectResult(net.metadata().get("class"), input, output,
                    archive.parameterCount(), tensors, List.copyOf(net.batchNormStatistics().keySet()), noRule,
                    device.toString(), (System.nanoTime() - start) / 1e9);
            return new Output(result, SafeTensors.write(archive.tensors(), metadata));
        }
    }

    private static List<Long> sizes(Shape shape) {
        return Arrays.stream(shape.getShape()).boxed().toList();
    }
}
