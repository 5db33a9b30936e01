package dev.valley.worker.science.grid;

import dev.valley.worker.science.train.Evaluator;
import java.util.List;

/** The metrics a grid asks for, in its order, and which splits they need. */
public record GridMetrics(List<String> names) {
    public static final String TRAIN_LOSS = "train_loss";
    public static final String TRAIN_ACCURACY = "train_accuracy";
    public static final String TEST_LOSS = "test_loss";
    public static final String TEST_ACCURACY = "test_accuracy";

    /** Every metric, in the spec's default order. */
    public static List<String> all() {
        return List.of(TRAIN_LOSS, TRAIN_ACCURACY, TEST_LOSS, TEST_ACCURACY);
    }

    public GridMetrics {
        names = List.copyOf(names);
    }

    public boolean needsTrain() {
        return names.contains(TRAIN_LOSS) || names.contains(TRAIN_ACCURACY);
    }

    public boolean needsTest() {
        return names.contains(TEST_LOSS) || names.contains(TEST_ACCURACY);
    }

    /** The values in the order of {@link #names}, from the splits' evaluations (null where not needed). */
    double[] values(Evaluator.Evaluation train, Evaluator.Evaluation test) {
        double[] values = new double[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (names.get(i)) {
                case TRAIN_LOSS -> train.metrics().loss();
                case TRAIN_ACCURACY -> train.metrics().accuracy();
                case TEST_LOSS -> test.metrics().loss();
                case TEST_ACCURACY -> test.metrics().accuracy();
                default -> throw new IllegalArgumentException("unknown metric " + names.get(i));
            };
        }
        return values;
    }

    public static boolean isLoss(String metric) {
        return metric.endsWith("_loss");
    }
}
