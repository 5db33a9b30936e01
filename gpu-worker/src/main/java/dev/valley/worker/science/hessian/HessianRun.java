package dev.valley.worker.science.hessian;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.HessianResult;
import dev.valley.model.job.HessianSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.CancelledException;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A hessian spec: the network's loss over a seeded subset of the training split, its gradient, its top eigenpairs and
 * its trace ({@link HessianSpectrum}, on {@link HessianVectorProducts}). {@link #FILE}: the network's tensors as
 * {@code network.{name}} and each eigenvector as {@code eigenvectors.{i}.{name}} (parameters only), with
 * {@code __metadata__} {@code format} {@value #FORMAT} and {@code eigenvalues} ("λ1,λ2,…") beside the run's own: what
 * a grid's hessian plane reads.
 */
public final class HessianRun {
    public static final String FILE = HessianSpec.ARTIFACT;
    public static final String FORMAT = "valley/hessian-v1";

    private final DatasetCatalog datasets;

    public HessianRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    public record Output(HessianResult result, Map<String, byte[]> files) {
    }

    public Output run(HessianSpec spec, byte[] network, Device device, TrainingListener listener) {
        long began = System.nanoTime();
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.subset(), 1, spec.model(),
                device);
                Weights weights = Weights.load(ws.architecture(), ws.manager(), network, "network");
                HessianVectorProducts h = new HessianVectorProducts(weights, ws.train(), spec.batchSize());
                NDManager kept = ws.manager().newSubManager()) {
            long parameters = weights.parameterCount();
            long planned = 1 + (long) spec.top() * spec.maxIterations()
                    + (spec.trace() ? Math.min(spec.probes(), parameters) : 0);
            long[] skipped = {0}; // products an eigenvalue that converged early did not take
            HessianSpectrum.Progress progress = (products, text) -> {
                if (listener.cancelRequested()) {
                    throw new CancelledException(1, (int) Math.min(Integer.MAX_VALUE, products));
                }
                listener.onEvaluation(Math.min(1, (1 + products + skipped[0]) / (double) planned), text);
            };
            HessianVectorProducts.Gradient gradient = h.gradient(kept);
            double gradientNorm = Math.sqrt(TensorMaps.dot(gradient.gradient(), gradient.gradient()));
            gradient.gradient().values().forEach(NDArray::close);
            List<HessianSpectrum.Eigen> eigen = new ArrayList<>();
            for (int n = 0; n < spec.top(); n++) {
                // One at a time, each deflating those found before, so that progress counts converged ones whole.
                List<HessianSpectrum.Eigen> next = HessianSpectrum.eigenvalues(h, eigen, 1, spec.tolerance(),
                        spec.maxIterations(), spec.vectorSeed() + n, kept, progress);
                eigen.addAll(next);
                skipped[0] += spec.maxIterations() - next.get(0).iterations();
            }
            HessianSpectrum.Trace trace = spec.trace() ? HessianSpectrum.trace(h, spec.probes(), spec.vectorSeed(), kept,
                    progress) : null;
            boolean batchNorm = ws.architecture().hasBatchNorm();
            HessianResult result = new HessianResult(
                    eigen.stream().map(HessianSpectrum.Eigen::value).toList(),
                    eigen.stream().map(HessianSpectrum.Eigen::iterations).toList(),
                    eigen.stream().map(HessianSpectrum.Eigen::converged).toList(),
                    eigen.stream().map(HessianSpectrum.Eigen::residual).toList(),
                    trace == null ? null : trace.value(),
                    trace == null ? null : trace.exact() ? "exact" : "hutchinson",
                    trace == null ? null : trace.standardError(),
                    trace == null ? null : trace.probes(),
                    gradient.loss(), gradientNorm, ws.train().size(), parameters, batchNorm ? "eval" : "none",
                    (int) h.products(), h.products() == 0 ? 0 : h.seconds() / h.products(), device.toString(),
                    (System.nanoTime() - began) / 1e9);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            weights.tensors().forEach((name, array) -> tensors.put("network." + name, array));
            for (int i = 0; i < eigen.size(); i++) {
                int index = i;
                eigen.get(i).vector().forEach((name, array) -> tensors.put("eigenvectors." + index + "." + name,
                        array));
            }
            Map<String, String> metadata = new LinkedHashMap<>(ws.metadata(FORMAT, spec));
            metadata.put("eigenvalues", result.eigenvalues().stream().map(String::valueOf)
                    .collect(Collectors.joining(",")));
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(FILE, SafeTensors.write(tensors, metadata));
            return new Output(result, files);
        }
    }
}
