package dev.valley.worker.science.grid;

import dev.valley.model.job.GridResult;
import java.util.List;
import java.util.Map;

/**
 * One computed tile as stored ({@code tile-i.json}): each metric's values row-major over the tile ([height][width]
 * flattened), who computed them, how long it took, and what the assembly needs to know about the plane. On a
 * trajectory plane, tile 0 also carries the run's kept networks evaluated ({@code path}); other tiles carry null. A
 * grid with frames carries every frame's values ({@code frames}, in order; {@code values} are the last's).
 */
public record TileValues(int index, int x0, int x1, int y0, int y1, Map<String, double[]> values, String worker,
        String device, double seconds, PlaneInfo plane, List<GridResult.Step> path,
        List<Map<String, double[]>> frames) {

    /** The same for every tile of a grid; {@code swap}, for a swap plane, without its metrics (the assembly's);
     * {@code trajectory}, for a trajectory plane, without its path (tile 0's); {@code frames}, for a grid with
     * frames, without their metrics (the assembly's). */
    public record PlaneInfo(String kind, List<GridResult.Marker> markers, List<GridResult.CurveSample> curve,
            boolean batchNormRecomputed, long parameters, int trainExamples, int testExamples, String evaluator,
            GridResult.Swap swap, GridResult.Trajectory trajectory, List<GridResult.Frame> frames) {
    }
}
