package dev.valley.worker.science.hessian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.TorchScriptModules;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact products of the Hessian H = ∇²L(θ) with vectors, for the mean loss L(θ) = (1/N) Σᵢ ℓ(f(xᵢ; θ), yᵢ) over a
 * device-resident set of examples (cross-entropy, or a regression's squared error, as training uses), by double
 * backward (Pearlmutter 1994): g = ∇L with its graph, then Hv = ∇(g·v). This is PyHessian's
 * {@code hessian_vector_product} summed over batches as its {@code dataloader_hv_product} does: each batch's loss is
 * weighted by its share n_b/N, so the sums are the whole set's and do not depend on the batch size.
 *
 * <p>The forward pass is the architecture's own (a TorchScript module's too), with batch norm in eval mode. The two
 * gradients are {@code torch.autograd.grad} calls in a small TorchScript module ({@code tools/make_hessian_module.py}):
 * DJL's backward would create the first gradient's graph inside the parameters' {@code .grad}, a reference cycle it
 * gives no way to break, and each product would leak its graph. Several vectors share one forward pass and one first
 * backward.
 */
public final class HessianVectorProducts implements AutoCloseable {
    private static final String MODULE = "hessian-vector-product.pt";

    private final Weights network;
    private final DeviceData data;
    private final int batchSize;
    private final NDManager moduleManager;
    private final PtSymbolBlock module;
    private final List<String> parameters;
    private long products;
    private double seconds;

    public HessianVectorProducts(Weights network, DeviceData data, int batchSize) {
        this.network = network;
        this.data = data;
        this.batchSize = batchSize;
        this.parameters = List.copyOf(network.parameterMap().keySet());
        this.moduleManager = network.manager().newSubManager();
        this.module = TorchScriptModules.resource(moduleManager, HessianVectorProducts.class, MODULE);
    }

    /** The mean loss at θ and its gradient ∇L (in {@code into}). */
    public record Gradient(double loss, Map<String, NDArray> gradient) {
    }

    public Gradient gradient(NDManager into) {
        Pass pass = pass(List.of(), into);
        return new Gradient(pass.loss, pass.gradient);
    }

    /** H·v for each of {@code vectors} (parameter name → tensor of its shape), in {@code into}, in one pass. */
    public List<Map<String, NDArray>> apply(List<Map<String, NDArray>> vectors, NDManager into) {
        long began = System.nanoTime();
        Pass pass = pass(vectors, into);
        pass.gradient.values().forEach(NDArray::close);
        products += vectors.size();
        seconds += (System.nanoTime() - began) / 1e9;
        return pass.products;
    }

    /** Hessian-vector products computed so far, and the seconds they took. */
    public long products() {
        return products;
    }

    public double seconds() {
        return seconds;
    }

    public List<String> parameterNames() {
        return parameters;
    }

    public Weights network() {
        return network;
    }

    private record Pass(double loss, Map<String, NDArray> gradient, List<Map<String, NDArray>> products) {
    }

    private Pass pass(List<Map<String, NDArray>> vectors, NDManager into) {
        int n = parameters.size();
        int k = vectors.size();
        NDArray[] sums = new NDArray[n * (k + 1)];
        double loss = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(from + batchSize, data.size());
            try (NDManager batch = into.newSubManager()) {
                NDList inputs = new NDList();
                NDArray batchLoss = batchLoss(batch, from, to, inputs);
                loss += batchLoss.getFloat();
                inputs.add(0, batchLoss);
                for (Map<String, NDArray> v : vectors) {
                    for (String name : parameters) {
                        NDArray d = v.get(name);
                        d.setName("vectors[]");
                        inputs.add(d);
                    }
                }
                if (k == 0) {
                    // The module wants a list of vectors; a product with a zero vector costs one more backward, so
                    // the gradient alone comes from a plain backward instead.
                    gradientOnly(inputs, batchLoss, sums, into);
                    continue;
                }
                NDList outputs = IValueUtils.forward(module, inputs, true);
                try (NoGrad noGrad = NoGrad.enter()) {
                    for (int i = 0; i < sums.length; i++) {
                        NDArray part = outputs.get(i);
                        sums[i] = sums[i] == null ? keep(part, into) : addInto(sums[i], part);
                    }
                }
            }
        }
        Map<String, NDArray> gradient = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            gradient.put(parameters.get(i), sums[i]);
        }
        List<Map<String, NDArray>> result = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            Map<String, NDArray> hv = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                hv.put(parameters.get(i), sums[(j + 1) * n + i]);
            }
            result.add(hv);
        }
        return new Pass(loss, gradient, result);
    }

    /**
     * The batch's loss weighted by its share of the set, as a graph down to fresh leaf copies of the parameters
     * (added to {@code inputs} as the module's parameter list); the buffers are the network's own.
     */
    private NDArray batchLoss(NDManager batch, int from, int to, NDList inputs) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (TensorSpec spec : network.architecture().tensors()) {
            NDArray t = network.get(spec.name());
            if (spec.isParameter()) {
                NDArray leaf = t.duplicate();
                leaf.attach(batch);
                leaf.setRequiresGradient(true);
                leaf.setName("parameters[]");
                inputs.add(leaf);
                t = leaf;
            }
            tensors.put(spec.name(), t);
        }
        Weights leaves = Weights.view(network.architecture(), batch, tensors);
        NDArray x = data.x().get(batch, new NDIndex().addSliceDim(from, to));
        NDArray y = data.labels().get(batch, new NDIndex().addSliceDim(from, to));
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            NDArray outputs = network.architecture().forward(leaves, x, Mode.EVAL);
            return MinibatchLoop.loss(outputs, y).mul((float) (to - from) / data.size());
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** A first-order backward into the leaves' gradients, added to the sums. */
    private static void gradientOnly(NDList inputs, NDArray batchLoss, NDArray[] sums, NDManager into) {
        JniUtils.backward((PtNDArray) batchLoss, (PtNDArray) batchLoss.onesLike(), false, false);
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int i = 0; i < sums.length; i++) {
                NDArray g = inputs.get(i + 1).getGradient();
                sums[i] = sums[i] == null ? keep(g, into) : addInto(sums[i], g);
            }
        }
    }

    private static NDArray keep(NDArray part, NDManager into) {
        NDArray copy = part.duplicate();
        copy.attach(into);
        return copy;
    }

    private static NDArray addInto(NDArray sum, NDArray part) {
        sum.addi(part);
        return sum;
    }

    @Override
    public void close() {
        moduleManager.close();
    }
}
