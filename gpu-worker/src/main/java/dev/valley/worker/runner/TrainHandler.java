package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.artifact.ArtifactKeys;
import dev.valley.model.job.JobType;
import dev.valley.model.job.TrainSpec;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingRun;
import java.util.List;
import org.springframework.stereotype.Component;

@Component
class TrainHandler implements JobHandler {
    private final TrainingRun training;
    private final Device device;

    TrainHandler(DatasetCatalog datasets, Device device) {
        this.training = new TrainingRun(datasets);
        this.device = device;
    }

    @Override
    public JobType type() {
        return JobType.TRAIN;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        TrainSpec spec = message.spec(TrainSpec.class);
        JobContext.Resume resume = context.resume(spec.epochs(), Checkpoint.Restored::epoch);
        TrainingRun.Output output = training.run(spec, device,
                context.trainingListener(resume), resume.checkpoint());
        List<Upload> uploads = new java.util.ArrayList<>();
        uploads.add(new Upload(ArtifactKeys.MODEL, "application/octet-stream", output.safetensors()));
        if (output.module() != null) {
            uploads.add(new Upload(ArtifactKeys.MODULE, "application/octet-stream", output.module()));
        }
        uploads.addAll(Upload.of(output.files()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
