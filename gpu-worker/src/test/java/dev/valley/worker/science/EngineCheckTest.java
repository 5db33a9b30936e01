package dev.valley.worker.science;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/**
 * The check's reference: for 16 channels (PreResNet's first stage, the vgg of the tests) the engine's gradient is
 * right on this project's CPUs, so the check would show a wrong one. What it
 * finds for the small widths is printed: on this project's AMD EPYC machines they are wrong (EngineCheck).
 */
class EngineCheckTest {
    @Test
    void theWidthsTheBuiltInNetworksUseHaveRightGradients() {
        var findings = EngineCheck.convolutionInputGradients(Device.cpu());
        findings.forEach(f -> System.out.printf("convolution input gradient, %d channels, batch %d: relative error"
                + " %.3g%n", f.channels(), f.batch(), f.relativeError()));
        assertThat(findings).hasSize(4);
        assertThat(findings.stream().filter(f -> f.channels() >= 16)).allMatch(EngineCheck.Finding::right);
    }
}
