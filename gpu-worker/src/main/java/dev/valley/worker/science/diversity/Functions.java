package dev.valley.worker.science.diversity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Regression networks as functions: each member's prediction over an input range wider than the data, the picture
 * of figure 7 (left) of "Visualizing Mode Connectivity" (Izmailov, Garipov and Wilson), where points along a
 * low-loss curve fit the data alike and differ between and beyond its clusters. For 1-D inputs: the range is the
 * training inputs' [min, max] widened by {@value #MARGIN} of its width on each side, at {@value #POINTS} evenly
 * spaced x.
 * <p>
 * Artifacts: {@code functions.npz} with {@code x} [P], {@code predictions} [K, P] (row k the member named k-th),
 * {@code train_x} and {@code train_y} (the data); {@code functions.png}, up to {@value #DRAWN} members (evenly
 * chosen, the first and last always) over the training data.
 */
public final class Functions {
    public static final String NPZ = "functions.npz";
    public static final String PNG = "functions.png";
    public static final int POINTS = 321;
    public static final double MARGIN = 0.25;
    static final int DRAWN = 6;

    /** The inputs, on the host and on the device [P, 1]. */
    public record Inputs(double[] x, NDArray device) implements AutoCloseable {
        @Override
        public void close() {
            device.close();
        }
    }

    private Functions() {
    }

    /** Whether a split can be drawn as functions: a regression on 1-D inputs. */
    public static boolean drawable(Split train) {
        return train.isRegression() && train.sampleSize() == 1;
    }

    /** The x at which every member is evaluated, from the training inputs. */
    public static Inputs inputs(Split train, NDManager manager) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : train.x()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double from = lo - MARGIN * (hi - lo);
        double to = hi + MARGIN * (hi - lo);
        double[] x = new double[POINTS];
        float[] values = new float[POINTS];
        for (int i = 0; i < POINTS; i++) {
            x[i] = from + (to - from) * i / (POINTS - 1);
            values[i] = (float) x[i];
        }
        return new Inputs(x, manager.create(values, new Shape(POINTS, 1)));
    }

    /** One network's predictions at {@code inputs}, in inference mode (batch norm on its running statistics). */
    public static double[] predict(Weights weights, Inputs inputs) {
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = weights.manager().newSubManager()) {
            NDArray x = inputs.device().duplicate();
            x.attach(scope);
            return weights.architecture().forward(weights, x, Mode.EVAL).toType(DataType.FLOAT64, false)
                    .toDoubleArray();
        }
    }

    /** Both artifacts by name; {@code predictions.get(k)} is member {@code names.get(k)}'s. */
    public static Map<String, byte[]> files(List<String> names, Inputs inputs, List<double[]> predictions,
            Split train) {
        int k = predictions.size();
        double[] flat = new double[k * POINTS];
        for (int i = 0; i < k; i++) {
            System.arraycopy(predictions.get(i), 0, flat, i * POINTS, POINTS);
        }
        double[] trainX = new double[train.size()];
        double[] trainY = new double[train.size()];
        for (int i = 0; i < trainX.length; i++) {
            trainX[i] = train.x()[i];
            trainY[i] = train.targets()[i];
        }
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("x", new Npz.Array(inputs.x(), POINTS));
        arrays.put("predictions", new Npz.Array(flat, k, POINTS));
        arrays.put("train_x", new Npz.Array(trainX, trainX.length));
        arrays.put("train_y", new Npz.Array(trainY, trainY.length));
        List<LineChart.Series> series = new ArrayList<>();
        series.add(LineChart.Series.dots("training data", trainX, trainY, LineChart.GREY));
        List<Integer> drawn = drawn(k);
        for (int j = 0; j < drawn.size(); j++) {
            int i = drawn.get(j);
            series.add(new LineChart.Series(names.get(i), inputs.x(), predictions.get(i), j, false));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(NPZ, Npz.writeArrays(arrays));
        files.put(PNG, LineChart.png(List.of(new LineChart.Panel("Predictions as functions of the input", "x",
                "prediction", series))));
        return files;
    }

    /** Up to {@value #DRAWN} of {@code k} members, evenly spaced, the first and the last among them. */
    static List<Integer> drawn(int k) {
        List<Integer> chosen = new ArrayList<>();
        int n = Math.min(k, DRAWN);
        for (int j = 0; j < n; j++) {
            int i = n == 1 ? 0 : (int) Math.round((double) j * (k - 1) / (n - 1));
            if (!chosen.contains(i)) {
                chosen.add(i);
            }
        }
        return chosen;
    }
}
