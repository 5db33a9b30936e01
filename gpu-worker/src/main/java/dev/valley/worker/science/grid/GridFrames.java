package dev.valley.worker.science.grid;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.GridResult;
import dev.valley.model.job.GridSpec;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.plot.AnimatedGif;
import dev.valley.worker.science.plot.Heatmap;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grid's frames (a curve's plane, snapshot by snapshot, while it trained) as files: {@code frames.npz} (per
 * metric an array [frames, ny, nx], {@code epochs} [frames], the curve of each frame {@code curve_x} and
 * {@code curve_y} [frames, 61] and its bend {@code bend_x}, {@code bend_y} [frames], with {@code x} and {@code y}),
 * {@code frames.json} (the same for the dashboard's player, values as float32) and {@code frames-<metric>.gif}, an
 * animation whose colour scale is the same in every frame, so that the tunnel of low loss is seen to open.
 */
final class GridFrames {
    /** Frame time in the animation, and how long the finished curve's frame holds before it loops. */
    static final int DELAY_MILLIS = 400;
    static final int HOLD_MILLIS = 1600;

    private GridFrames() {
    }

    /** {@code frames.json}: {@code values.<metric>[f][j][i]} at (x[i], y[j]) in frame f. */
    record FramesJson(double[] x, double[] y, List<GridResult.Frame> frames, Map<String, float[][][]> values) {
    }

    static Map<String, byte[]> files(GridSpec spec, double[] xs, double[] ys, List<GridResult.Frame> frames,
            List<Map<String, double[][]>> grids) {
        int count = frames.size();
        int nx = xs.length;
        int ny = ys.length;
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("x", new Npz.Array(xs, nx));
        arrays.put("y", new Npz.Array(ys, ny));
        arrays.put("epochs", new Npz.Array(frames.stream().mapToDouble(GridResult.Frame::epoch).toArray(), count));
        int samples = frames.get(0).curve().size();
        double[] cx = new double[count * samples];
        double[] cy = new double[count * samples];
        double[] bx = new double[count];
        double[] by = new double[count];
        for (int f = 0; f < count; f++) {
            List<GridResult.CurveSample> curve = frames.get(f).curve();
            for (int k = 0; k < samples; k++) {
                cx[f * samples + k] = curve.get(k).x();
                cy[f * samples + k] = curve.get(k).y();
            }
            GridResult.Marker bend = frames.get(f).markers().get(frames.get(f).markers().size() - 1);
            bx[f] = bend.x();
            by[f] = bend.y();
        }
        arrays.put("curve_x", new Npz.Array(cx, count, samples));
        arrays.put("curve_y", new Npz.Array(cy, count, samples));
        arrays.put("bend_x", new Npz.Array(bx, count));
        arrays.put("bend_y", new Npz.Array(by, count));
        Map<String, float[][][]> floats = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String metric : spec.metrics()) {
            double[] flat = new double[count * ny * nx];
            float[][][] values = new float[count][ny][nx];
            List<double[][]> series = new ArrayList<>();
            for (int f = 0; f < count; f++) {
                double[][] v = grids.get(f).get(metric);
                series.add(v);
                for (int j = 0; j < ny; j++) {
                    for (int i = 0; i < nx; i++) {
                        flat[(f * ny + j) * nx + i] = v[j][i];
                        values[f][j][i] = (float) v[j][i];
                    }
                }
            }
            arrays.put(metric, new Npz.Array(flat, count, ny, nx));
            floats.put(metric, values);
            files.put("frames-" + metric + ".gif", animation(metric, xs, ys, frames, series));
        }
        files.put("frames.npz", Npz.writeArrays(arrays));
        files.put("frames.json", JSON.writeValueAsBytes(new FramesJson(xs, ys, frames, floats)));
        return files;
    }

    /** One heatmap per frame on the colour scale of all of them, the frame's curve and bend drawn over it. */
    private static byte[] animation(String metric, double[] xs, double[] ys, List<GridResult.Frame> frames,
            List<double[][]> series) {
        boolean log = GridMetrics.isLoss(metric);
        double[] range = Heatmap.commonRange(series, log);
        List<BufferedImage> images = new ArrayList<>();
        for (int f = 0; f < frames.size(); f++) {
            GridResult.Frame frame = frames.get(f);
            List<Heatmap.Marker> markers = frame.markers().stream()
                    .map(m -> new Heatmap.Marker(m.label(), m.x(), m.y())).toList();
            double[] px = frame.curve().stream().mapToDouble(GridResult.CurveSample::x).toArray();
            double[] py = frame.curve().stream().mapToDouble(GridResult.CurveSample::y).toArray();
            String title = GridAssembly.title(metric) + (log ? " (log)" : "") + " on the curve's plane, epoch "
                    + frame.epoch() + " (frame " + (f + 1) + " of " + frames.size() + ")";
            images.add(Heatmap.image(new Heatmap.Chart(title, xs, ys, series.get(f), log, markers, px, py), range));
        }
        return AnimatedGif.write(images, DELAY_MILLIS, HOLD_MILLIS);
    }
}
