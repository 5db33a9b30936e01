package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.artifact.ArtifactKeys;
import dev.valley.model.job.InspectSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.train.ModuleInspection;
import java.util.List;
import org.springframework.stereotype.Component;

/** Inspects an uploaded TorchScript module ({@link ModuleInspection}); the archive's weights become its
 * {@code model.safetensors}. */
@Component
class InspectHandler implements JobHandler {
    private final DatasetCatalog datasets;
    private final Device device;

    InspectHandler(DatasetCatalog datasets, Device device) {
        this.datasets = datasets;
        this.device = device;
    }

    @Override
    public JobType type() {
        return JobType.INSPECT;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        ModuleInspection.Output output = ModuleInspection.run(message.spec(InspectSpec.class), datasets, device);
        return new Outcome(JSON.valueToTree(output.result()),
                List.of(new Upload(ArtifactKeys.MODEL, "application/octet-stream", output.safetensors())));
    }
}
