package dev.valley.worker.science.train;

/** Mean cross-entropy and accuracy of a network on a split. */
public record Metrics(double loss, double accuracy, int examples) {
}
