package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which plane (or line) of weight space a grid covers.
 * <ul>
 * <li>{@code points}: origin w1, u = w2 − w1, v = (w3 − w1) made orthogonal to u; W(x, y) = w1 + x·u + y·v, so w1
 * is at (0, 0) and w2 at (1, 0).</li>
 * <li>{@code curve}: the plane of a 3-bend curve's endpoints and bend, as {@code points} with [w1, w2, θ]; with
 * {@code frames}, one such plane per snapshot the curve kept while it trained (its bend then), each a frame.</li>
 * <li>{@code random}: W(x, y) = center + x·d1 + y·d2 with Gaussian directions scaled per filter, per layer or not
 * at all (Li et al. 2018); {@code ignore} zeroes the directions of biases and batch-norm parameters.</li>
 * <li>{@code line}: W(x) = w1 + x·(w2 − w1) (Goodfellow et al. 2015), with resolution [nx, 1].</li>
 * <li>{@code swap}: W(x) = θ + x·(π_ij θ − θ), with θ the network {@code point} and π_ij the transposition of hidden
 * units i and j of {@code layer} (their incoming weights, bias and batch-norm parameters, and their outgoing
 * weights, trade places). Both ends compute the same function; at x = ½ the two units coincide: the permutation
 * saddle of Brea et al. 2019 ("Weight-space symmetry in deep networks gives rise to permutation saddles, connected
 * by equal-loss valleys"). Resolution [nx, 1]; the x axis must pass through 0, ½ and 1.</li>
 * <li>{@code simplex}: the plane through three vertices of a simplex job ({@code vertices}, default [0, 1, 2]), as
 * {@code points} with them.</li>
 * <li>{@code trajectory}: the plane of a training run's path (Li et al. 2018, §7, and loss-landscape's
 * {@code plot_trajectory.py}): centred on the final weights w, its directions the two leading principal components
 * of the kept weights less w (the differences centred on their mean, as PCA does), each scaled so that the path's
 * projection spans [-1, 1] on its axis.</li>
 * <li>{@code hessian}: W(x, y) = θ + x·v1 + y·v2, θ a hessian job's network and v1, v2 the unit eigenvectors of its
 * two largest-magnitude eigenvalues (loss-landscape's {@code plot_hessian_eigen.py} directions): near θ the loss is
 * L(θ) + x·g·v1 + y·g·v2 + ½(λ1x² + λ2y²), g the gradient.</li>
 * </ul>
 */
public record PlaneSpec(
        @Description("points (three networks), curve (a 3-bend curve job's plane), random (Li et al. 2018's "
                + "normalised directions around center), line (two networks), swap (from point to point with two "
                + "hidden units swapped, Brea et al. 2019), simplex (three vertices of a simplex job), trajectory (a "
                + "training run's principal components) or hessian (a hessian job's top two eigenvectors)")
        @NotNull @Pattern(regexp = "points|curve|random|line|swap|simplex|trajectory|hessian",
                message = "must be one of: points, curve, random, line, swap, simplex, trajectory, hessian")
        String kind,
        @Description("the networks: three for points, two for line")
        List<@NotNull @Valid ModelRef> points,
        @Description("the curve job whose plane it is")
        @Valid ModelRef curve,
        @Description("the network at the origin of a random plane")
        @Valid ModelRef center,
        @Description("random plane: filter, layer or none (default filter)")
        @Pattern(regexp = "filter|layer|none", message = "must be one of: filter, layer, none") String normalization,
        @Description("random plane: directions set to zero for bias and/or batchnorm tensors (default both)")
        List<@NotNull @Pattern(regexp = "bias|batchnorm", message = "must be one of: bias, batchnorm") String> ignore,
        @Description("random plane: the directions' seed")
        Long seed,
        @Description("swap: the network whose units are swapped")
        @Valid ModelRef point,
        @Description("swap: the layer whose hidden units are swapped: a permutation's name (as permutations.json of"
                + " an align job names it: layers.0, features.4, stream2, layer1.0.conv1) or the prefix of a layer it"
                + " permutes")
        String layer,
        @Description("swap: [i, j], two different units of the layer, or most-similar (the pair whose incoming "
                + "weights are closest, the cheapest saddle) or most-different (the farthest pair); default "
                + "most-similar")
        Object units,
        @Description("simplex: the simplex job whose vertices span the plane")
        @Valid ModelRef simplex,
        @Description("simplex: the three vertices, by index (default [0, 1, 2])")
        @Size(min = 3, max = 3, message = "must name 3 vertices") List<@NotNull @Min(0) Integer> vertices,
        @Description("trajectory: the train job (run with \"trajectory\": k) whose kept weights span the plane")
        @Valid ModelRef trajectory,
        @Description("hessian: the hessian job (top 2 or more) whose network and eigenvectors span the plane")
        @Valid ModelRef hessian,
        @Description("curve: \"snapshots\" computes one grid per snapshot the curve job kept (fitted with "
                + "\"snapshots\"), each on the plane through the endpoints and that snapshot's bend: the frames of an"
                + " animation of the curve's plane while it trains")
        @Pattern(regexp = "snapshots", message = "must be: snapshots") String frames) {

    public static final String POINTS = "points";
    public static final String CURVE = "curve";
    public static final String RANDOM = "random";
    public static final String LINE = "line";
    public static final String SWAP = "swap";
    public static final String SIMPLEX = "simplex";
    public static final String TRAJECTORY = "trajectory";
    public static final String HESSIAN = "hessian";
    /** The train job's file that holds its kept weights. */
    public static final String TRAJECTORY_ARTIFACT = "trajectory.safetensors";
    /** The simplex job's file that holds its vertices. */
    public static final String SIMPLEX_ARTIFACT = "simplex.safetensors";
    public static final String MOST_SIMILAR = "most-similar";
    public static final String MOST_DIFFERENT = "most-different";
    /** The curve job's file that holds its bends. */
    public static final String CURVE_ARTIFACT = "curve.safetensors";

    public PlaneSpec withDefaults() {
        boolean random = RANDOM.equals(kind);
        return new PlaneSpec(kind,
                ModelRef.withDefaults(points),
                curve == null ? null : curve.withDefaults(frames != null ? CurveSpec.HISTORY_ARTIFACT : CURVE_ARTIFACT),
                center == null ? null : center.withDefaults(),
                random && normalization == null ? "filter" : normalization,
                random && ignore == null ? List.of("bias", "batchnorm") : ignore,
                random && seed == null ? Long.valueOf(0) : seed,
                point == null ? null : point.withDefaults(),
                layer,
                SWAP.equals(kind) && units == null ? MOST_SIMILAR : units,
                simplex == null ? null : simplex.withDefaults(SIMPLEX_ARTIFACT),
                SIMPLEX.equals(kind) && vertices == null ? List.of(0, 1, 2) : vertices,
                trajectory == null ? null : trajectory.withDefaults(TRAJECTORY_ARTIFACT),
                hessian == null ? null : hessian.withDefaults(HessianSpec.ARTIFACT), frames);
    }

    /** A line or a swap path: one row of points, resolution [nx, 1]. (An is-method named after a field would hide
     * it from Jackson: isSimplexPlane, not isSimplex.) */
    @JsonIgnore
    public boolean isLine() {
        return LINE.equals(kind) || SWAP.equals(kind);
    }

    @JsonIgnore
    public boolean isSimplexPlane() {
        return SIMPLEX.equals(kind);
    }

    @JsonIgnore
    public boolean isSwap() {
        return SWAP.equals(kind);
    }

    /** The swap's two units when the spec names them, else null (a rule to pick them, or not a swap). */
    @JsonIgnore
    public int[] unitPair() {
        if (units instanceof List<?> list && list.size() == 2 && list.get(0) instanceof Integer i
                && list.get(1) instanceof Integer j) {
            return new int[] {i, j};
        }
        return null;
    }

    /** most-similar or most-different when the spec asks for a rule, else null. */
    @JsonIgnore
    public String unitRule() {
        return units instanceof String rule ? rule : null;
    }

    @AssertTrue(message = "points needs 3 networks, line 2; curve needs curve, random needs center, swap needs point,"
            + " simplex needs simplex, trajectory needs trajectory, hessian needs hessian; nothing else")
    boolean isInputsFitKind() {
        if (kind == null) {
            return true;
        }
        int wanted = switch (kind) {
            case POINTS -> 3;
            case LINE -> 2;
            default -> 0;
        };
        boolean pointsOk = wanted == 0 ? points == null : points != null && points.size() == wanted;
        return pointsOk && (curve != null) == CURVE.equals(kind) && (center != null) == RANDOM.equals(kind)
                && (point != null) == SWAP.equals(kind) && (simplex != null) == SIMPLEX.equals(kind)
                && (trajectory != null) == TRAJECTORY.equals(kind) && (hessian != null) == HESSIAN.equals(kind);
    }

    @AssertTrue(message = "only for a curve plane")
    boolean isFramesOnlyForCurve() {
        return frames == null || kind == null || CURVE.equals(kind);
    }

    /** Whether the grid is one frame per snapshot of a curve's fit. */
    @JsonIgnore
    public boolean hasFrames() {
        return frames != null;
    }

    @AssertTrue(message = "must be 3 different vertices, only for a simplex plane")
    boolean isVerticesValid() {
        return vertices == null || kind == null || (SIMPLEX.equals(kind) && vertices.size() == 3
                && vertices.stream().distinct().count() == 3);
    }

    @AssertTrue(message = "is required for a swap plane, and only for it")
    boolean isLayerGivenForSwap() {
        return kind == null || (layer != null && !layer.isBlank()) == SWAP.equals(kind);
    }

    @AssertTrue(message = "must be [i, j], two different unit indices from 0, or one of: most-similar, most-different;"
            + " only for a swap plane")
    boolean isUnitsValid() {
        if (units == null || kind == null) {
            return true;
        }
        if (!SWAP.equals(kind)) {
            return false;
        }
        int[] pair = unitPair();
        if (pair != null) {
            return pair[0] >= 0 && pair[1] >= 0 && pair[0] != pair[1];
        }
        return MOST_SIMILAR.equals(units) || MOST_DIFFERENT.equals(units);
    }

    @AssertTrue(message = "only for a random plane")
    boolean isRandomOptionsOnlyForRandom() {
        return RANDOM.equals(kind) || (normalization == null && ignore == null && seed == null);
    }

    /** The weights the plane is made of, by field, under {@code plane.}. */
    Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        for (int i = 0; points != null && i < points.size(); i++) {
            refs.put("plane.points[" + i + "]", points.get(i));
        }
        if (curve != null) {
            refs.put(GridSpec.CURVE_FIELD, curve);
        }
        if (center != null) {
            refs.put("plane.center", center);
        }
        if (point != null) {
            refs.put("plane.point", point);
        }
        if (simplex != null) {
            refs.put(GridSpec.SIMPLEX_FIELD, simplex);
        }
        if (trajectory != null) {
            refs.put(GridSpec.TRAJECTORY_FIELD, trajectory);
        }
        if (hessian != null) {
            refs.put(GridSpec.HESSIAN_FIELD, hessian);
        }
        return refs;
    }
}
