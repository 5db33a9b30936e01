package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.FgeSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.average.FgeRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.storage.ObjectStore;
import java.util.List;
import org.springframework.stereotype.Component;

/** Fast geometric ensembling from the start network the dispatch names. */
@Component
class FgeHandler implements JobHandler {
    private final FgeRun runs;
    private final Device device;
    private final ObjectStore store;

    FgeHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new FgeRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.FGE;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        FgeSpec spec = message.spec(FgeSpec.class);
        DispatchMessage.Input input = message.input("start");
        JobContext.Resume resume = context.resume(spec.epochs(), Checkpoint.Restored::epoch);
        FgeRun.Output output = runs.run(spec, store.get(input.key(), input.sha256()), device,
                context.trainingListener(resume), resume.checkpoint());
        List<Upload> uploads = new java.util.ArrayList<>(List.of(
                new Upload("fge-snapshots.safetensors", "application/octet-stream", output.snapshots()),
                new Upload("fge.json", "application/json", output.json()),
                new Upload("fge.png", "image/png", output.png())));
        uploads.addAll(Upload.of(output.files()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
