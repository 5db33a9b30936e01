package dev.valley.model.job;

import java.util.List;

/**
 * How differently a set of networks predict on the test split (Fort, Hu and Lakshminarayanan 2019, "Deep Ensembles:
 * A Loss Landscape Perspective", section 4), for K members named in {@code members}:
 * <ul>
 * <li>{@code disagreement[a][b]}: the fraction of test examples whose predicted classes (argmax) differ;</li>
 * <li>{@code jensenShannon[a][b]}: the mean over examples of JS(p_a, p_b) = H((p_a + p_b)/2) − (H(p_a) + H(p_b))/2
 * in nats (0 for equal predictions, at most ln 2), H the entropy of a predictive distribution;</li>
 * <li>{@code accuracy} and {@code loss} (NLL) of each member alone, and of the ensemble, the mean of the members'
 * probabilities;</li>
 * <li>{@code normalisedDisagreement[a]}: member a's mean disagreement with the others over its own error rate,
 * the y axis of Fort et al.'s diversity-against-accuracy plot (accuracy is its x); null for a member with no
 * errors.</li>
 * </ul>
 * The means are over the pairs a &lt; b.
 */
public record Diversity(
        List<String> members,
        List<Double> accuracy,
        List<Double> loss,
        List<List<Double>> disagreement,
        List<List<Double>> jensenShannon,
        List<Double> normalisedDisagreement,
        double meanDisagreement,
        double meanJensenShannon,
        double ensembleAccuracy,
        double ensembleLoss,
        int examples) {
}
