package dev.valley.worker.science.simplex;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.SimplexResult;
import dev.valley.model.job.SimplexSpec;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.curve.Curve;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Sgd;
import dev.valley.worker.science.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Grows a simplex one vertex at a time, as loss-surface-simplexes' {@code simplex_train} does (Benton et al. 2021):
 * the new vertex starts at the centroid of the current ones plus a seeded perturbation (each tensor N(0, σ²), σ 1 %
 * of the centroid tensor's root mean square) and is the only one that moves. Per minibatch, {@code samples} points
 * φ = Σ_k w_k·θ_k with w ~ Dirichlet(1, …, 1); the loss is their mean cross-entropy (+ ½·wd·‖φ‖²) − λ·log V. As in
 * {@link dev.valley.worker.science.curve.CurveTrainer}, φ is a leaf, so the new vertex's gradient is
 * mean_s w_new·(∂CE/∂φ_s + wd·φ_s) − λ·∇ log V, the last from {@link SimplexVolume#gradientWeights}. SGD with
 * momentum; the learning rate of {@link LearningRates#halfFlatThenLinear} over each vertex's epochs; one shared set
 * of batch-norm statistics while training.
 */
public final class SimplexTrainer {
    private SimplexTrainer() {
    }

    /** Adds {@code spec.vertices()} trained vertices to {@code vertices} (parameter maps in {@code manager}). */
    public static List<SimplexResult.Epoch> grow(List<Map<String, NDArray>> vertices, Architecture architecture,
            DeviceData train, SimplexSpec spec, NDManager manager, TrainingListener listener) {
        List<SimplexResult.Epoch> history = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(spec.seed());
        int fixed = vertices.size();
        for (int added = 0; added < spec.vertices(); added++) {
            Map<String, NDArray> vertex = perturbedCentroid(vertices, random, manager);
            vertices.add(vertex);
            int index = vertices.size() - 1;
            double from = (double) added / spec.vertices();
            TrainingListener part = new TrainingListener.Forwarding(listener) {
                @Override
                public void onStep(int epoch, int step, double done) {
                    super.onStep(epoch, step, from + done / spec.vertices());
                }

                @Override
                public void onEvaluation(double done, String text) {
                    super.onEvaluation(from + done / spec.vertices(), text);
                }
            };
            fit(vertices, index, architecture, train, spec, random, manager, part, history);
            listener.onEvaluation(from + 1.0 / spec.vertices(), "vertex " + index + " of "
                    + (fixed + spec.vertices() - 1) + " trained");
        }
        return history;
    }

    private static Map<String, NDArray> perturbedCentroid(List<Map<String, NDArray>> vertices,
            SplittableRandom random, NDManager manager) {
        Map<String, NDArray> vertex = new LinkedHashMap<>();
        try (NoGrad noGrad = NoGrad.enter()) {
            for (String name : vertices.get(0).keySet()) {
                NDArray sum = vertices.get(0).get(name).duplicate();
                for (int k = 1; k < vertices.size(); k++) {
                    sum.addi(vertices.get(k).get(name));
                }
                NDArray centroid = sum.divi(vertices.size());
                double rms = Math.sqrt(centroid.square().mean().getFloat());
                float[] noise = new float[Math.toIntExact(centroid.size())];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (float) (random.nextGaussian() * 0.01 * rms);
                }
                centroid.addi(manager.create(noise, centroid.getShape()));
                centroid.attach(manager);
                vertex.put(name, centroid);
            }
        }
        return vertex;
    }

    private static void fit(List<Map<String, NDArray>> vertices, int v, Architecture architecture, DeviceData train,
            SimplexSpec spec, SplittableRandom random, NDManager manager, TrainingListener listener,
            List<SimplexResult.Epoch> history) {
        List<String> names = new ArrayList<>(vertices.get(v).keySet());
        try (NDManager fixed = manager.newSubManager();
                Sgd sgd = new Sgd(new ArrayList<>(vertices.get(v).values()), manager, spec.lr(), spec.momentum(), 0)) {
            Map<String, NDArray> buffers = architecture.freshBuffers(fixed);
            double[] lr = {spec.lr()};
            MinibatchLoop.run(train, 1, spec.epochsPerVertex(), spec.batchSize(), spec.seed() * 31 + v, manager,
                    listener, new MinibatchLoop.Epochs() {
                        long began;

                        @Override
                        public void begin(int epoch) {
                            lr[0] = LearningRates.halfFlatThenLinear(spec.lr(), epoch, spec.epochsPerVertex());
                            sgd.setLearningRate(lr[0]);
                            began = System.nanoTime();
                        }

                        @Override
                        public void end(int epoch, double meanLoss, double seconds) {
                            history.add(new SimplexResult.Epoch(v, epoch, lr[0], meanLoss,
                                    Math.log(SimplexVolume.volume(squaredDistances(vertices))), seconds));
                            listener.onEvaluation((double) epoch / spec.epochsPerVertex(), String.format(
                                    "vertex %d epoch %d/%d: sampled train loss %.4f", v, epoch, spec.epochsPerVertex(),
                                    meanLoss));
                        }
                    }, (x, y, scope, epoch, step) -> step(vertices, v, names, architecture, buffers, x, y, scope,
                            spec, random, sgd, epoch, step));
        }
    }

    private static NDArray step(List<Map<String, NDArray>> vertices, int v, List<String> names, Architecture architecture,
            Map<String, NDArray> buffers, NDArray x, NDArray y, NDManager scope, SimplexSpec spec,
            SplittableRandom random, Sgd sgd, int epoch, int step) {
        Map<String, NDArray> gradient = new LinkedHashMap<>();
        NDArray lossSum = scope.zeros(new Shape());
        NDArray decay = Scalars.of(scope, spec.weightDecay());
        for (int s = 0; s < spec.samples(); s++) {
            double[] w = Dirichlet.uniform(vertices.size(), random);
            var phi = Curve.combination(architecture, vertices, w, scope, buffers);
            List<NDArray> parameters = phi.parameters();
            parameters.forEach(p -> p.setRequiresGradient(true));
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = MinibatchLoop.loss(architecture.forward(phi, x, Mode.TRAIN), y);
                collector.backward(loss);
            }
            lossSum.addi(loss);
            NDArray share = Scalars.of(scope, w[v] / spec.samples());
            Map<String, NDArray> params = phi.parameterMap();
            for (String name : names) {
                NDArray g = params.get(name).getGradient();
                g.attach(scope);
                if (spec.weightDecay() != 0) {
                    g.addi(params.get(name).mul(decay));
                }
                NDArray term = g.mul(share);
                NDArray sum = gradient.get(name);
                if (sum == null) {
                    gradient.put(name, term);
                } else {
                    sum.addi(term);
                }
            }
        }
        if (spec.volumeWeight() > 0) {
            // −λ·∇ log V = −λ·Σ_j c_j (θ_v − θ_j).
            double[] c = SimplexVolume.gradientWeights(squaredDistances(vertices), v);
            for (String name : names) {
                NDArray own = vertices.get(v).get(name);
                NDArray g = gradient.get(name);
                for (int j = 0; j < vertices.size(); j++) {
                    if (c[j] != 0) {
                        NDArray difference = own.sub(vertices.get(j).get(name));
                        difference.attach(scope);
                        g.subi(difference.muli(Scalars.of(scope, spec.volumeWeight() * c[j])));
                    }
                }
            }
        }
        for (int i = 0; i < names.size(); i++) {
            sgd.apply(i, gradient.get(names.get(i)));
        }
        return lossSum.divi(Scalars.of(scope, spec.samples()));
    }

    /** D[i][j] = ‖θ_i − θ_j‖² over the parameters, in float64. */
    static double[][] squaredDistances(List<Map<String, NDArray>> vertices) {
        int n = vertices.size();
        double[][] d = new double[n][n];
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    try (NDManager scope = vertices.get(i).values().iterator().next().getManager().newSubManager()) {
                        Map<String, NDArray> difference = TensorMaps.zip(vertices.get(i), vertices.get(j), NDArray::sub,
                                scope);
                        d[i][j] = TensorMaps.dot(difference, difference);
                        d[j][i] = d[i][j];
                    }
                }
            }
        }
        return d;
    }
}
