package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.HessianSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.hessian.HessianRun;
import dev.valley.worker.storage.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** The curvature of a network's training loss: its top Hessian eigenpairs and trace ({@link HessianRun}). */
@Component
class HessianHandler implements JobHandler {
    private final HessianRun runs;
    private final Device device;
    private final ObjectStore store;

    HessianHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new HessianRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.HESSIAN;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        HessianSpec spec = message.spec(HessianSpec.class);
        DispatchMessage.Input input = message.input("network");
        HessianRun.Output output = runs.run(spec, store.get(input.key(), input.sha256()), device, context.trainingListener(JobContext.Resume.afresh(1)));
        List<Upload> uploads = new ArrayList<>();
        uploads.add(new Upload("hessian.json", "application/json", JSON.writeValueAsBytes(output.result())));
        uploads.addAll(Upload.of(output.files()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
