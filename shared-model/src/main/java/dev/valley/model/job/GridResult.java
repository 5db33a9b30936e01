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
 * @param swap for a swap plane, the units swapped and each metric at the ends and the midpoint; else null
 * @param trajectory for a trajectory plane, its principal components and the path; else null
 * @param frames for a curve plane with frames, each frame (a snapshot of the curve's fit) in order; else null. The
 *     grid's own values, markers and curve are the last frame's (the finished curve's plane).
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
        String evaluator,
        Swap swap,
        Trajectory trajectory,
        List<Frame> frames) {

    /** The smallest and largest value and where each lies. */
    public record Summary(double min, double minX, double minY, double max, double maxX, double maxY) {
    }

    public record Marker(String label, double x, double y) {
    }

    /**
     * A swap path (Brea et al. 2019): units {@code units} of the permutation {@code group} (which {@code layer}
     * named) traded places along x.
     *
     * @param selection given ([i, j] in the spec), most-similar or most-different
     * @param distance ‖θ_i − θ_j‖ over the two units' incoming weights, bias and batch-norm scale and shift: the
     *     pair's distance, by which most-similar and most-different choose
     * @param metrics each metric at x = 0, ½ and 1
     */
    public record Swap(String layer, String group, List<Integer> units, String selection, double distance,
            Map<String, SwapValues> metrics) {
    }

    /**
     * One metric on a swap path: at its ends (the same function, so equal to float32 rounding) and its midpoint,
     * where the two units coincide. {@code barrier}: for a loss, its largest value on [0, 1] less the ends' mean;
     * for an accuracy, the ends' mean less its smallest value on [0, 1] (so positive is worse either way).
     */
    public record SwapValues(double start, double midpoint, double end, double barrier) {
    }

    public record CurveSample(double t, double x, double y) {
    }

    /**
     * One frame of a curve's plane while it trained: the snapshot's epoch (0: before the first step), its plane's
     * markers (the bend at (p, 1)), the curve then at its 61 t, and each metric's range on the frame. The colour scale
     * of the animation is the range over all frames.
     */
    public record Frame(int epoch, List<Marker> markers, List<CurveSample> curve, Map<String, Summary> metrics) {
    }

    /**
     * A training run's path on the plane of its principal components.
     *
     * @param explainedVarianceRatio the share of the kept weights' variance (about their mean) along each axis, as
     *     scikit-learn's PCA reports it: each in [0, 1], their sum at most 1
     * @param scale per axis, the length in weight space of one plane unit: the direction is the unit principal
     *     component times it (the path's largest |projection| on that axis)
     * @param path each kept network: its epoch, its coordinates (the projection of w_epoch − w onto the axes, over
     *     the scale), each metric of the network itself ({@code atStep}) and of the plane's point at its coordinates
     *     ({@code onPlane}); where the two differ, the path leaves the plane
     */
    public record Trajectory(List<Double> explainedVarianceRatio, List<Double> scale, List<Step> path) {
    }

    public record Step(int epoch, double x, double y, Map<String, Double> atStep, Map<String, Double> onPlane) {
    }
}
