package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.CurveSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.curve.CurveRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.storage.ObjectStore;
import java.util.List;
import org.springframework.stereotype.Component;

/** Fits and evaluates a curve between the two networks the dispatch's inputs name. */
@Component
class CurveHandler implements JobHandler {
    private final CurveRun curves;
    private final Device device;
    private final ObjectStore store;

    CurveHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.curves = new CurveRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.CURVE;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        CurveSpec spec = message.spec(CurveSpec.class);
        DispatchMessage.Input start = message.input("endpoints[0]");
        DispatchMessage.Input end = message.input("endpoints[1]");
        byte[] startBytes = store.get(start.key(), start.sha256());
        byte[] endBytes = store.get(end.key(), end.sha256());
        JobContext.Resume resume = context.resume(spec.epochs(), Checkpoint.Restored::epoch);
        CurveRun.Output output = curves.run(spec, start.model(), startBytes, endBytes, device,
                context.trainingListener(resume), resume.checkpoint());
        List<Upload> uploads = new java.util.ArrayList<>(List.of(
                new Upload("curve.safetensors", "application/octet-stream", output.safetensors()),
                new Upload("curve.npz", "application/octet-stream", output.npz()),
                new Upload("curve.json", "application/json", output.json()),
                new Upload("curve.png", "image/png", output.png())));
        uploads.addAll(Upload.of(output.files()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }
}
