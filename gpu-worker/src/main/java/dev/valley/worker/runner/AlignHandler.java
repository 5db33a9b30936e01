package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.AlignSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.align.AlignRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.storage.ObjectStore;
import java.util.List;
import org.springframework.stereotype.Component;

/** Aligns a target network to a reference ({@link AlignRun}). */
@Component
class AlignHandler implements JobHandler {
    private final AlignRun runs;
    private final Device device;
    private final ObjectStore store;

    AlignHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new AlignRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.ALIGN;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        AlignSpec spec = message.spec(AlignSpec.class);
        DispatchMessage.Input reference = message.input("reference");
        DispatchMessage.Input target = message.input("target");
        AlignRun.Output output = runs.run(spec, store.get(reference.key(), reference.sha256()),
                store.get(target.key(), target.sha256()), device, context.trainingListener(JobContext.Resume.afresh(1)));
        return new Outcome(JSON.valueToTree(output.result()), List.of(
                new Upload("aligned.safetensors", "application/octet-stream", output.aligned()),
                new Upload("permutations.json", "application/json", output.permutations()),
                new Upload("align.json", "application/json", output.json()),
                new Upload("align.png", "image/png", output.png())));
    }
}
