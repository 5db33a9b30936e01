package dev.valley.model.job;

import java.util.List;
import java.util.Map;

/**
 * What a finished grid reports; the values themselves are in {@code grid.npz} and {@code grid.json}. Coordinates
 * are the plane's (x, y).
 *
 * @param markers the networks that span the plane (w1, w2, w3; the curve's endpoints and bend; a random plane's
 *     center), at their plane coordinates
 * @param curve for a curve plane, the curve sampled at 61 evenly spaced t, at its plane coordinates
 * @param batchNormRecomputed true when the network has batch norm and every point's statistics were recomputed
 * @param workers how many tiles each worker computed
 * @param computeSeconds the tiles' compute time summed over workers; {@code pointsPerSecond} is points over it
 * @param evaluator how each point was computed: "first-layer algebra" (a built-in network, whose first layer is
 *     linear in its weights, computed once per plane) or "per point" (a full forward pass at every point)
 */
public record GridResult(
        String plane,
        List<Integer> resolution,
        List<Double> xRange,
        List<Double> yRange,
        int tiles,
        Map<String, Summary> metrics,
        List<Marker> markers,
        List<CurveSample> curve,
        boolean batchNormRecomputed,
        Map<String, Integer> workers,
        double computeSeconds,
        double pointsPerSecond,
        int trainExamples,
        int testExamples,
        long parameters,
        String evaluator) {

    /** The smallest and largest value and where each lies. */
    public record Summary(double min, double minX, double minY, double max, double maxX, double maxY) {
    }

    public record Marker(String label, double x, double y) {
    }

    public record CurveSample(double t, double x, double y) {
    }
}
