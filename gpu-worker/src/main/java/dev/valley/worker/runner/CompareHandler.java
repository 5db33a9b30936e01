package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.CompareSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.diversity.CompareRun;
import dev.valley.worker.storage.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** Measures how differently a set of networks predict ({@link CompareRun}). */
@Component
class CompareHandler implements JobHandler {
    private final CompareRun runs;
    private final Device device;
    private final ObjectStore store;

    CompareHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new CompareRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.COMPARE;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        CompareSpec spec = message.spec(CompareSpec.class);
        CompareRun.Output output = runs.run(spec, field -> {
            DispatchMessage.Input input = message.input(field);
            return store.get(input.key(), input.sha256());
        }, device, context.trainingListener(JobContext.Resume.afresh(1)));
        List<Upload> uploads = new ArrayList<>();
        uploads.add(new Upload("compare.json", "application/json", JSON.writeValueAsBytes(output.result())));
        uploads.addAll(Upload.of(output.files()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
