package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.JobType;
import dev.valley.model.job.SimplexSpec;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.simplex.SimplexRun;
import dev.valley.worker.storage.ObjectStore;
import org.springframework.stereotype.Component;

/** Grows a simplex of low loss from fixed vertices ({@link SimplexRun}). */
@Component
class SimplexHandler implements JobHandler {
    private final SimplexRun runs;
    private final Device device;
    private final ObjectStore store;

    SimplexHandler(DatasetCatalog datasets, Device device, ObjectStore store) {
        this.runs = new SimplexRun(datasets);
        this.device = device;
        this.store = store;
    }

    @Override
    public JobType type() {
        return JobType.SIMPLEX;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        SimplexSpec spec = message.spec(SimplexSpec.class);
        SimplexRun.Output output = runs.run(spec, field -> {
            DispatchMessage.Input input = message.input(field);
            return store.get(input.key(), input.sha256());
        }, device, context.trainingListener(JobContext.Resume.afresh(spec.vertices() * spec.epochsPerVertex())));
        return new Outcome(JSON.valueToTree(output.result()), Upload.of(output.files()));
    }
}
