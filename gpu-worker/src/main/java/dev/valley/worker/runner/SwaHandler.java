package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.JobType;
import dev.valley.model.job.SwaSpec;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.average.SwaRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.storage.ObjectStore;
import java.util.List;
import org.springframework.stereotype.Component;

/** SWA against SGD, from the seed or from the start network the dispatch names. */
@Component
class SwaHandler implements JobHandler {
    private final SwaRun runs;
    private final Device device;
    private final ObjectStore store;

    SwaHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new SwaRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.SWA;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        SwaSpec spec = message.spec(SwaSpec.class);
        byte[] start = null;
        String startedFrom = "seed " + spec.seed();
        if (spec.start() != null) {
            DispatchMessage.Input input = message.input("start");
            start = store.get(input.key(), input.sha256());
            startedFrom = spec.start().isUploaded() ? input.name() : "job " + input.job() + " " + input.name();
        }
        JobContext.Resume resume = context.resume(SwaRun.epochs(spec), restored -> SwaRun.epochsDone(spec, restored));
        SwaRun.Output output = runs.run(spec, start, startedFrom, device,
                context.trainingListener(resume), resume.checkpoint());
        List<Upload> uploads = new java.util.ArrayList<>(List.of(
                new Upload("swa.safetensors", "application/octet-stream", output.swa()),
                new Upload("sgd.safetensors", "application/octet-stream", output.sgd()),
                new Upload("swa.json", "application/json", output.json()),
                new Upload("swa.png", "image/png", output.png())));
        uploads.addAll(Upload.of(output.diversity()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
