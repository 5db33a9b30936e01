package dev.valley.model.job;

/** What a finished compare job reports: the networks' {@link Diversity}, members named {@code networks[i]}. */
public record CompareResult(Diversity diversity, long parameters, String device, double seconds) {
}
