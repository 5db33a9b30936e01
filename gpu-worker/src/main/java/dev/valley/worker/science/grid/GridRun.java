package dev.valley.worker.science.grid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.GridResult;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.GridTile;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.PlaneSpec;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.align.UnitSwap;
import dev.valley.worker.science.curve.CurveKind;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Autocast;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.CancelledException;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Workspace;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A grid job's numerical side. {@link #open} loads the data and the plane once per worker and grid; the session
 * then computes any tile it is handed.
 */
public final class GridRun {
    private final DatasetCatalog datasets;

    public GridRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /**
     * The data (subsets on the device), the plane built from the inputs ({@code bytes} by spec field:
     * {@code plane.points[i]}, {@code plane.curve} or {@code plane.center}) and the evaluator: the first-layer
     * algebra when the network's first layer is linear in its weights and its products fit in {@code memoryBudget}
     * bytes, the plain per-point loop otherwise.
     */
    public Session open(GridSpec spec, ModelSpec model, Function<String, byte[]> bytes, Device device,
            long memoryBudget) {
        Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), spec.testSubset(),
                model, device);
        try {
            if (spec.plane().isSwap() && ws.architecture().hasBatchNorm() && !spec.recomputeBatchNorm()) {
                throw new IllegalArgumentException("recomputeBatchNorm: a swap plane of a network with batch norm"
                        + " must recompute the statistics at every point; the point's own belong to the unswapped units");
            }
            Frames frames = spec.plane().hasFrames()
                    ? frames(ws.architecture(), ws.manager(), bytes.apply(GridSpec.CURVE_FIELD)) : null;
            Plane plane = frames != null ? frames.planes().get(frames.planes().size() - 1)
                    : plane(spec.plane(), ws.architecture(), ws.manager(), bytes);
            List<Plane> planes = frames != null ? frames.planes() : List.of(plane);
            GridMetrics metrics = new GridMetrics(spec.metrics());
            long examples = (long) ws.train().size() + ws.test().size();
            // Only where the first layer is known to be linear in its weights (the built-in networks); a
            // TorchScript module is evaluated whole at every point. Frames share the endpoints' products (A, B):
            // each frame after the first adds two tensors (C, A + y·C) per example to the first's four.
            boolean linear = ws.architecture().firstWeight() != null
                    && examples * LinearFirstLayerEvaluator.bytesPerExample(plane, ws.train()) / 4
                    * (2 + 2L * planes.size()) <= memoryBudget;
            int evaluationBatch = Evaluator.batchFor(ws.architecture(), ws.train(), device);
            // In the workspace's manager: closing the workspace frees it.
            Autocast autocast = Autocast.forPrecision(spec.precision(), ws.architecture(), ws.manager());
            List<PointEvaluator> evaluators = new java.util.ArrayList<>();
            try {
                for (Plane p : planes) {
                    evaluators.add(linear
                            ? new LinearFirstLayerEvaluator(p, ws.train(), ws.test(), metrics,
                                    spec.recomputeBatchNorm(), spec.batchSize(), evaluationBatch,
                                    evaluators.isEmpty() ? null : (LinearFirstLayerEvaluator) evaluators.get(0))
                                    .autocast(autocast)
                            : new PerPointEvaluator(p, ws.train(), ws.test(), metrics, spec.recomputeBatchNorm(),
                                    spec.batchSize(), evaluationBatch).autocast(autocast));
                }
            } catch (RuntimeException e) {
                closeAll(evaluators, frames != null ? planes : List.of(plane));
                throw e;
            }
            GridResult.Trajectory trajectory = plane.path() == null ? null : new GridResult.Trajectory(
                    List.of(plane.path().ratio()[0], plane.path().ratio()[1]),
                    List.of(plane.path().scale()[0], plane.path().scale()[1]), null);
            List<GridResult.Frame> frameInfo = null;
            if (frames != null) {
                frameInfo = new java.util.ArrayList<>();
                for (int f = 0; f < planes.size(); f++) {
                    frameInfo.add(new GridResult.Frame(frames.epochs().get(f), planes.get(f).markers(),
                            planes.get(f).curve(), null));
                }
            }
            TileValues.PlaneInfo info = new TileValues.PlaneInfo(spec.plane().kind(), plane.markers(), plane.curve(),
                    spec.recomputeBatchNorm() && ws.architecture().hasBatchNorm(), plane.parameterCount(),
                    ws.train().size(), ws.test().size(), linear ? "first-layer algebra" : "per point", plane.swap(),
                    trajectory, frameInfo);
            return new Session(spec, ws, planes, evaluators, info, device.toString(), autocast);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /**
     * A grid's data, plane and evaluator (one of each per frame, for a grid with frames: the last is the grid's own),
     * resident on the device while the worker computes its tiles.
     */
    public static final class Session implements AutoCloseable {
        private final GridSpec spec;
        private final Workspace workspace;
        private final List<Plane> planes;
        private final List<PointEvaluator> evaluators;
        private final Plane plane;
        private final PointEvaluator evaluator;
        private final TileValues.PlaneInfo info;
        private final String device;
        private final double[] xs;
        private final double[] ys;
        /** bf16 passes, null for fp32; the workspace's manager owns it. */
        private final Autocast autocast;

        Session(GridSpec spec, Workspace workspace, List<Plane> planes, List<PointEvaluator> evaluators,
                TileValues.PlaneInfo info, String device, Autocast autocast) {
            this.spec = spec;
            this.workspace = workspace;
            this.planes = planes;
            this.evaluators = evaluators;
            this.plane = planes.get(planes.size() - 1);
            this.evaluator = evaluators.get(evaluators.size() - 1);
            this.info = info;
            this.device = device;
            this.xs = spec.xs();
            this.ys = spec.ys();
            this.autocast = autocast;
        }

        /** The tile's values (every frame's, for a grid with frames); checks {@code cancelled} before every point. */
        public TileValues compute(GridTile tile, String worker, BooleanSupplier cancelled) {
            long start = System.nanoTime();
            List<String> names = spec.metrics();
            List<Map<String, double[]>> frames = new java.util.ArrayList<>();
            for (PointEvaluator e : evaluators) {
                frames.add(values(e, tile, names, cancelled));
            }
            Map<String, double[]> values = frames.get(frames.size() - 1);
            List<GridResult.Step> path = tile.index() == 0 && plane.path() != null ? path(names) : null;
            return new TileValues(tile.index(), tile.x0(), tile.x1(), tile.y0(), tile.y1(), values, worker, device,
                    (System.nanoTime() - start) / 1e9, info, path, info.frames() == null ? null : frames);
        }

        private Map<String, double[]> values(PointEvaluator e, GridTile tile, List<String> names,
                BooleanSupplier cancelled) {
            Map<String, double[]> values = new LinkedHashMap<>();
            names.forEach(n -> values.put(n, new double[tile.points()]));
            int k = 0;
            for (int j = tile.y0(); j < tile.y1(); j++) {
                e.beginRow(ys[j]);
                for (int i = tile.x0(); i < tile.x1(); i++) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancelledException(0, k);
                    }
                    double[] point = e.at(xs[i]);
                    for (int m = 0; m < names.size(); m++) {
                        values.get(names.get(m))[k] = point[m];
                    }
                    k++;
                }
            }
            return values;
        }

        /**
         * Each kept network of a trajectory, evaluated as it is and at its projection on the plane (both with the
         * grid's batch-norm handling): where the two differ, the run left the plane there.
         */
        private List<GridResult.Step> path(List<String> names) {
            Plane.Path path = plane.path();
            List<GridResult.Step> steps = new java.util.ArrayList<>();
            try (PerPointEvaluator itself = new PerPointEvaluator(plane, workspace.train(), workspace.test(),
                    new GridMetrics(names), spec.recomputeBatchNorm(), spec.batchSize(),
                    Evaluator.batchFor(workspace.architecture(), workspace.train(), workspace.manager().getDevice()))
                    .autocast(autocast)) {
                for (int i = 0; i < path.epochs().size(); i++) {
                    double[] c = path.coordinates()[i];
                    double[] atStep = itself.atParameters(path.steps().get(i));
                    evaluator.beginRow(c[1]);
                    double[] onPlane = evaluator.at(c[0]);
                    Map<String, Double> a = new LinkedHashMap<>();
                    Map<String, Double> b = new LinkedHashMap<>();
                    for (int m = 0; m < names.size(); m++) {
                        a.put(names.get(m), atStep[m]);
                        b.put(names.get(m), onPlane[m]);
                    }
                    steps.add(new GridResult.Step(path.epochs().get(i), c[0], c[1], a, b));
                }
            }
            return steps;
        }

        public GridSpec spec() {
            return spec;
        }

        @Override
        public void close() {
            closeAll(evaluators, planes);
            workspace.close();
        }
    }

    /** Evaluators last to first (the first frame's owns the products the others share), then the planes. */
    private static void closeAll(List<PointEvaluator> evaluators, List<Plane> planes) {
        for (int i = evaluators.size() - 1; i >= 0; i--) {
            evaluators.get(i).close();
        }
        planes.forEach(Plane::close);
    }

    /** A curve's planes while it trained, one per snapshot, and each snapshot's epoch. */
    record Frames(List<Plane> planes, List<Integer> epochs) {
    }

    /**
     * The planes of a curve's history ({@code curve-history.safetensors}): per snapshot, the plane through the
     * endpoints and that snapshot's bend, in the curve's coordinates.
     */
    static Frames frames(Architecture architecture, NDManager manager, byte[] file) {
        String field = GridSpec.CURVE_FIELD;
        SafeTensors.Contents contents = read(file, dev.valley.worker.science.curve.CurveRun.HISTORY_FORMAT, field,
                "a curve's history");
        if (!"3".equals(contents.metadata().get("bends"))) {
            throw new IllegalArgumentException(field + ": the curve has " + contents.metadata().get("bends")
                    + " bends; a curve plane needs 3");
        }
        CurveKind kind = CurveKind.of(contents.metadata().getOrDefault("curve", "bezier"));
        List<Integer> epochs = java.util.Arrays.stream(contents.metadata().getOrDefault("epochs", "").split(","))
                .filter(e -> !e.isEmpty()).map(Integer::valueOf).toList();
        int last = epochs.size() - 1;
        Plane[] planes = new Plane[epochs.size()];
        try {
            planes[last] = framePlane(architecture, manager, contents, kind, last, null);
            for (int i = 0; i < last; i++) {
                planes[i] = framePlane(architecture, manager, contents, kind, i, planes[last]);
            }
        } catch (RuntimeException e) {
            java.util.Arrays.stream(planes).filter(java.util.Objects::nonNull).forEach(Plane::close);
            throw e;
        }
        return new Frames(List.of(planes), epochs);
    }

    /**
     * Snapshot i's plane: through the endpoints and its bend; where that bend lies on the line between them (a fit's
     * start from initLinear), through the line and the {@code finished} curve's plane's y direction instead.
     */
    private static Plane framePlane(Architecture architecture, NDManager manager, SafeTensors.Contents contents,
            CurveKind kind, int i, Plane finished) {
        String field = GridSpec.CURVE_FIELD;
        Weights start = member(architecture, manager, contents, "endpoints.0.", field);
        try (Weights bend = member(architecture, manager, contents, "snapshots." + i + ".bends.1.", field);
                Weights end = member(architecture, manager, contents, "endpoints.1.", field)) {
            try {
                return Plane.curve(start, bend, end, kind);
            } catch (IllegalArgumentException collinear) {
                if (finished == null) {
                    throw collinear;
                }
                return Plane.curveOnLine(start, bend, end, kind, finished.vMap());
            }
        } catch (RuntimeException e) {
            start.close();
            throw e;
        }
    }

    static Plane plane(PlaneSpec spec, Architecture architecture, NDManager manager, Function<String, byte[]> bytes) {
        return switch (spec.kind()) {
            case PlaneSpec.POINTS -> {
                Weights w1 = load(architecture, manager, bytes, "plane.points[0]");
                try (Weights w2 = load(architecture, manager, bytes, "plane.points[1]");
                        Weights w3 = load(architecture, manager, bytes, "plane.points[2]")) {
                    yield Plane.points(w1, w2, w3, List.of("w1", "w2", "w3"));
                } catch (RuntimeException e) {
                    w1.close();
                    throw e;
                }
            }
            case PlaneSpec.LINE -> {
                Weights w1 = load(architecture, manager, bytes, "plane.points[0]");
                try (Weights w2 = load(architecture, manager, bytes, "plane.points[1]")) {
                    yield Plane.line(w1, w2);
                } catch (RuntimeException e) {
                    w1.close();
                    throw e;
                }
            }
            case PlaneSpec.CURVE -> curvePlane(architecture, manager, bytes.apply(GridSpec.CURVE_FIELD));
            case PlaneSpec.SIMPLEX -> simplexPlane(architecture, manager, bytes.apply(GridSpec.SIMPLEX_FIELD),
                    spec.vertices());
            case PlaneSpec.TRAJECTORY -> trajectoryPlane(architecture, manager,
                    bytes.apply(GridSpec.TRAJECTORY_FIELD));
            case PlaneSpec.HESSIAN -> hessianPlane(architecture, manager, bytes.apply(GridSpec.HESSIAN_FIELD));
            case PlaneSpec.SWAP -> swapPlane(spec, architecture, load(architecture, manager, bytes, "plane.point"));
            case PlaneSpec.RANDOM -> Plane.random(load(architecture, manager, bytes, "plane.center"),
                    spec.normalization(), new HashSet<>(spec.ignore()), spec.seed());
            default -> throw new IllegalArgumentException("unknown plane " + spec.kind());
        };
    }

    /** The path from θ to θ with two units of {@code spec.layer()} swapped; takes ownership of θ. */
    private static Plane swapPlane(PlaneSpec spec, Architecture architecture, Weights theta) {
        try {
            PermutationSpec permutations;
            PermutationSpec.Group group;
            try {
                permutations = architecture.permutations();
                group = permutations.resolve(spec.layer());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("plane.layer: " + e.getMessage(), e);
            }
            int[] given = spec.unitPair();
            UnitSwap.Pair pair = given != null ? UnitSwap.pair(theta, group, given[0], given[1])
                    : UnitSwap.extreme(theta, group, PlaneSpec.MOST_DIFFERENT.equals(spec.unitRule()));
            GridResult.Swap swap = new GridResult.Swap(spec.layer(), group.name(), List.of(pair.i(), pair.j()),
                    given != null ? "given" : spec.unitRule(), pair.distance(), null);
            try (Weights swapped = UnitSwap.swapped(theta, permutations, group, pair.i(), pair.j(), theta.manager())) {
                return Plane.swap(theta, swapped, swap);
            }
        } catch (RuntimeException e) {
            theta.close();
            throw e;
        }
    }

    private static Weights load(Architecture architecture, NDManager manager, Function<String, byte[]> bytes,
            String field) {
        return Weights.load(architecture, manager, bytes.apply(field), field);
    }

    /** The endpoints and bend of a 3-bend curve file ({@code bends.{k}.{name}}, parameters only). */
    private static Plane curvePlane(Architecture architecture, NDManager manager, byte[] file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        String bends = contents.metadata().get("bends");
        if (!"3".equals(bends)) {
            throw new IllegalArgumentException(GridSpec.CURVE_FIELD + ": the curve has " + bends
                    + " bends; a curve plane needs 3");
        }
        CurveKind kind = CurveKind.of(contents.metadata().getOrDefault("curve", "bezier"));
        Weights start = bend(architecture, manager, contents, 0);
        try (Weights bend = bend(architecture, manager, contents, 1);
                Weights end = bend(architecture, manager, contents, 2)) {
            return Plane.curve(start, bend, end, kind);
        } catch (RuntimeException e) {
            start.close();
            throw e;
        }
    }

    /** The plane through three vertices of a simplex file ({@code vertices.{k}.{name}}, parameters only). */
    private static Plane simplexPlane(Architecture architecture, NDManager manager, byte[] file, List<Integer> which) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        int count = Integer.parseInt(contents.metadata().getOrDefault("vertices", "0"));
        for (int v : which) {
            if (v >= count) {
                throw new IllegalArgumentException("plane.vertices: vertex " + v + " is out of range: the simplex has "
                        + count + " vertices");
            }
        }
        String field = GridSpec.SIMPLEX_FIELD;
        Weights first = member(architecture, manager, contents, "vertices." + which.get(0) + ".", field);
        try (Weights second = member(architecture, manager, contents, "vertices." + which.get(1) + ".", field);
                Weights third = member(architecture, manager, contents, "vertices." + which.get(2) + ".", field)) {
            return Plane.withoutStatistics(Plane.points(first, second, third, which.stream()
                    .map(v -> "vertex " + v).toList()));
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
    }

    /** The plane of a train job's kept networks ({@code steps.{i}.{name}}, parameters only; the last the final). */
    private static Plane trajectoryPlane(Architecture architecture, NDManager manager, byte[] file) {
        String field = GridSpec.TRAJECTORY_FIELD;
        SafeTensors.Contents contents = read(file, dev.valley.worker.science.train.Trajectory.FORMAT, field,
                "a trajectory file");
        List<Integer> epochs = java.util.Arrays.stream(contents.metadata().getOrDefault("epochs", "").split(","))
                .filter(e -> !e.isEmpty()).map(Integer::valueOf).toList();
        if (epochs.size() < 3) {
            throw new IllegalArgumentException(field + ": the run kept " + epochs.size() + " networks; a trajectory"
                    + " plane needs three or more");
        }
        int last = epochs.size() - 1;
        Weights end = member(architecture, manager, contents, "steps." + last + ".", field);
        try {
            List<Map<String, NDArray>> steps = new java.util.ArrayList<>();
            for (int i = 0; i < last; i++) {
                steps.add(member(architecture, end.manager(), contents, "steps." + i + ".", field).parameterMap());
            }
            steps.add(end.parameterMap());
            return Plane.trajectory(end, steps, epochs);
        } catch (RuntimeException e) {
            end.close();
            throw e;
        }
    }

    /** A hessian job's network ({@code network.{name}}, batch-norm statistics included) and its first two
     * eigenvectors ({@code eigenvectors.{0,1}.{name}}, parameters only). */
    private static Plane hessianPlane(Architecture architecture, NDManager manager, byte[] file) {
        String field = GridSpec.HESSIAN_FIELD;
        SafeTensors.Contents contents = read(file, dev.valley.worker.science.hessian.HessianRun.FORMAT, field,
                "a hessian job's file");
        String[] eigenvalues = contents.metadata().getOrDefault("eigenvalues", "").split(",");
        if (eigenvalues.length < 2) {
            throw new IllegalArgumentException(field + ": the hessian job found " + eigenvalues.length
                    + " eigenvector; a plane needs two (top 2 or more)");
        }
        Map<String, SafeTensors.HostTensor> own = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith("network.")) {
                own.put(name.substring("network.".length()), t);
            }
        });
        Weights network = Weights.load(architecture, manager, new SafeTensors.Contents(own, contents.metadata()));
        try (Weights v1 = member(architecture, manager, contents, "eigenvectors.0.", field);
                Weights v2 = member(architecture, manager, contents, "eigenvectors.1.", field)) {
            return Plane.directions(network, v1.parameterMap(), v2.parameterMap(), "network");
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** A file whose {@code __metadata__} format must be {@code format}; a refusal names the spec field. */
    private static SafeTensors.Contents read(byte[] file, String format, String field, String what) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        if (!format.equals(contents.metadata().get("format"))) {
            throw new IllegalArgumentException(field + ": not " + what + " (format " + contents.metadata().get("format")
                    + ")");
        }
        return contents;
    }

    private static Weights bend(Architecture architecture, NDManager parent, SafeTensors.Contents contents, int k) {
        return member(architecture, parent, contents, "bends." + k + ".", GridSpec.CURVE_FIELD);
    }

    /** One network of a file of several ({@code prefix}{name}, parameters only), with fresh statistics. */
    private static Weights member(Architecture architecture, NDManager parent, SafeTensors.Contents contents,
            String prefix, String field) {
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>(architecture.freshBuffers(manager));
            for (TensorSpec spec : architecture.tensors()) {
                if (!spec.isParameter()) {
                    continue;
                }
                SafeTensors.HostTensor t = contents.tensors().get(prefix + spec.name());
                if (t == null || !"F32".equals(t.dtype())) {
                    throw new IllegalArgumentException(field + ": " + prefix + spec.name()
                            + " is missing or not F32");
                }
                tensors.put(spec.name(), manager.create(t.floats(), new Shape(t.shape())));
            }
            return Weights.of(architecture, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
