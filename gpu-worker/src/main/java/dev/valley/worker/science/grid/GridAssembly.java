package dev.valley.worker.science.grid;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.GridResult;
import dev.valley.model.job.GridSpec;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.plot.Heatmap;
import dev.valley.worker.science.plot.LineChart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Puts a grid's stored tiles together: the result, grid.npz, grid.json and one picture per metric. */
public final class GridAssembly {

    private GridAssembly() {
    }

    /** {@code pictures} by artifact name ({@code grid-<metric>.png}). */
    public record Output(GridResult result, byte[] npz, byte[] json, Map<String, byte[]> pictures) {
    }

    /** The values of {@code grid.json}: {@code values.<metric>[j][i]} at (x[i], y[j]), as float32. */
    public record GridJson(double[] x, double[] y, Map<String, float[][]> values, GridResult result) {
    }

    public static Output assemble(GridSpec spec, List<TileValues> tiles) {
        int nx = spec.nx();
        int ny = spec.ny();
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one tile");
        }
        Map<String, double[][]> grids = fill(spec, tiles, TileValues::values);
        Map<String, Integer> workers = new TreeMap<>();
        double seconds = 0;
        for (TileValues t : tiles) {
            workers.merge(t.worker(), 1, Integer::sum);
            seconds += t.seconds();
        }
        double[] xs = spec.xs();
        double[] ys = spec.ys();
        Map<String, GridResult.Summary> summaries = new LinkedHashMap<>();
        grids.forEach((m, v) -> summaries.put(m, summary(v, xs, ys)));
        TileValues.PlaneInfo plane = tiles.get(0).plane();
        List<Map<String, double[][]>> frameGrids = new ArrayList<>();
        List<GridResult.Frame> frames = null;
        if (plane.frames() != null) {
            frames = new ArrayList<>();
            for (int f = 0; f < plane.frames().size(); f++) {
                int frame = f;
                Map<String, double[][]> g = fill(spec, tiles, t -> t.frames().get(frame));
                frameGrids.add(g);
                Map<String, GridResult.Summary> s = new LinkedHashMap<>();
                g.forEach((m, v) -> s.put(m, summary(v, xs, ys)));
                GridResult.Frame info = plane.frames().get(f);
                frames.add(new GridResult.Frame(info.epoch(), info.markers(), info.curve(), s));
            }
        }
        double points = nx * (double) ny * Math.max(1, frameGrids.size());
        GridResult result = new GridResult(plane.kind(), spec.resolution(), spec.range().x(), spec.range().y(),
                tiles.size(), summaries, plane.markers(), plane.curve(), plane.batchNormRecomputed(), workers,
                seconds, seconds > 0 ? points / seconds : 0, plane.trainExamples(), plane.testExamples(),
                plane.parameters(), plane.evaluator(), swap(plane.swap(), spec, grids, xs),
                trajectory(plane.trajectory(), tiles), frames);

        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("x", new Npz.Array(xs, nx));
        arrays.put("y", new Npz.Array(ys, ny));
        Map<String, float[][]> floats = new LinkedHashMap<>();
        grids.forEach((m, v) -> {
            double[] flat = new double[nx * ny];
            float[][] rows = new float[ny][nx];
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    flat[j * nx + i] = v[j][i];
                    rows[j][i] = (float) v[j][i];
                }
            }
            arrays.put(m, new Npz.Array(flat, ny, nx));
            floats.put(m, rows);
        });
        Map<String, byte[]> pictures = new LinkedHashMap<>();
        grids.forEach((m, v) -> pictures.put("grid-" + m + ".png", picture(m, xs, ys, v, result,
                dev.valley.model.job.Datasets.isRegression(spec.dataset()))));
        if (frames != null) {
            pictures.putAll(GridFrames.files(spec, xs, ys, frames, frameGrids));
        }
        return new Output(result, Npz.writeArrays(arrays), JSON.writeValueAsBytes(new GridJson(xs, ys, floats, result)),
                pictures);
    }

    /** Each metric's [ny][nx] values from the tiles ({@code values}: a tile's values of the frame wanted). */
    private static Map<String, double[][]> fill(GridSpec spec, List<TileValues> tiles,
            java.util.function.Function<TileValues, Map<String, double[]>> values) {
        int nx = spec.nx();
        int ny = spec.ny();
        Map<String, double[][]> grids = new LinkedHashMap<>();
        spec.metrics().forEach(m -> grids.put(m, new double[ny][nx]));
        boolean[][] filled = new boolean[ny][nx];
        for (TileValues t : tiles) {
            Map<String, double[]> v = values.apply(t);
            int k = 0;
            for (int j = t.y0(); j < t.y1(); j++) {
                for (int i = t.x0(); i < t.x1(); i++) {
                    if (filled[j][i]) {
                        throw new IllegalArgumentException("tiles overlap at (" + i + ", " + j + ")");
                    }
                    filled[j][i] = true;
                    for (String m : spec.metrics()) {
                        grids.get(m)[j][i] = v.get(m)[k];
                    }
                    k++;
                }
            }
        }
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                if (!filled[j][i]) {
                    throw new IllegalArgumentException("no tile covers grid point (" + i + ", " + j + ")");
                }
            }
        }
        return grids;
    }

    /** The swap's metrics at x = 0, ½ and 1 and its barrier over [0, 1]; null when the plane is no swap. */
    static GridResult.Swap swap(GridResult.Swap swap, GridSpec spec, Map<String, double[][]> grids, double[] xs) {
        if (swap == null) {
            return null;
        }
        int start = GridSpec.indexOf(xs, 0);
        int middle = GridSpec.indexOf(xs, 0.5);
        int end = GridSpec.indexOf(xs, 1);
        Map<String, GridResult.SwapValues> metrics = new LinkedHashMap<>();
        for (String m : spec.metrics()) {
            double[] v = grids.get(m)[0];
            double ends = (v[start] + v[end]) / 2;
            boolean loss = GridMetrics.isLoss(m);
            double worst = loss ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            for (int i = start; i <= end; i++) {
                worst = loss ? Math.max(worst, v[i]) : Math.min(worst, v[i]);
            }
            metrics.put(m, new GridResult.SwapValues(v[start], v[middle], v[end], loss ? worst - ends : ends - worst));
        }
        return new GridResult.Swap(swap.layer(), swap.group(), swap.units(), swap.selection(), swap.distance(),
                metrics);
    }

    static GridResult.Summary summary(double[][] v, double[] xs, double[] ys) {
        int minI = -1;
        int minJ = -1;
        int maxI = -1;
        int maxJ = -1;
        for (int j = 0; j < v.length; j++) {
            for (int i = 0; i < v[j].length; i++) {
                if (!Double.isFinite(v[j][i])) {
                    continue;
                }
                if (minI < 0 || v[j][i] < v[minJ][minI]) {
                    minI = i;
                    minJ = j;
                }
                if (maxI < 0 || v[j][i] > v[maxJ][maxI]) {
                    maxI = i;
                    maxJ = j;
                }
            }
        }
        if (minI < 0) {
            return new GridResult.Summary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new GridResult.Summary(v[minJ][minI], xs[minI], ys[minJ], v[maxJ][maxI], xs[maxI], ys[maxJ]);
    }

    /** A trajectory plane's axes with tile 0's path. */
    private static GridResult.Trajectory trajectory(GridResult.Trajectory axes, List<TileValues> tiles) {
        if (axes == null) {
            return null;
        }
        List<GridResult.Step> path = tiles.stream().filter(t -> t.path() != null).map(TileValues::path).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tile carries the trajectory's path"));
        return new GridResult.Trajectory(axes.explainedVarianceRatio(), axes.scale(), path);
    }

    static String title(String metric) {
        return metric.replace('_', ' ');
    }

    private static byte[] picture(String metric, double[] xs, double[] ys, double[][] v, GridResult r,
            boolean regression) {
        boolean loss = GridMetrics.isLoss(metric);
        if (ys.length == 1) {
            String along = r.swap() == null ? "the line" : "the swap of units " + r.swap().units().get(0) + " and "
                    + r.swap().units().get(1) + " of " + r.swap().group();
            String axis = loss ? dev.valley.worker.science.train.Metrics.lossName(regression) : "accuracy";
            return LineChart.png(List.of(new LineChart.Panel(title(metric) + " along " + along, "x", axis,
                    List.of(new LineChart.Series(title(metric), xs, v[0], 0, false)))));
        }
        List<Heatmap.Marker> markers = new ArrayList<>();
        r.markers().forEach(m -> markers.add(new Heatmap.Marker(m.label(), m.x(), m.y())));
        double[] px = null;
        double[] py = null;
        if (r.curve() != null) {
            px = r.curve().stream().mapToDouble(GridResult.CurveSample::x).toArray();
            py = r.curve().stream().mapToDouble(GridResult.CurveSample::y).toArray();
        } else if (r.trajectory() != null) {
            px = r.trajectory().path().stream().mapToDouble(GridResult.Step::x).toArray();
            py = r.trajectory().path().stream().mapToDouble(GridResult.Step::y).toArray();
        }
        return Heatmap.png(new Heatmap.Chart(title(metric) + " on the " + r.plane() + " plane" + (loss ? " (log)" : ""),
                xs, ys, v, loss, markers, px, py));
    }
}
