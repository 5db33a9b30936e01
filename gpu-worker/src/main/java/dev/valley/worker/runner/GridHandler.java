package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.WorkerProperties;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.grid.GridAssembly;
import dev.valley.worker.science.grid.GridRun;
import dev.valley.worker.science.grid.TileValues;
import dev.valley.worker.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * A grid's tiles and its assembly. The data, the plane and the first-layer products stay on the device between
 * tiles of the same grid (one grid at a time; the next grid's first tile replaces them).
 */
@Component
class GridHandler implements JobHandler {
    private final GridRun grids;
    private final Device device;
    private final ObjectStore store;
    private final WorkerProperties worker;
    private UUID sessionJob;
    private int sessionAttempt;
    private GridRun.Session session;

    private final WorkerMetrics metrics;

    GridHandler(DatasetCatalog datasets, Device device, ObjectStore store, WorkerProperties worker,
            WorkerMetrics metrics) {
        this.metrics = metrics;
        this.grids = new GridRun(datasets);
        this.device = device;
        this.store = store;
        this.worker = worker;
    }

    @Override
    public JobType type() {
        return JobType.GRID;
    }

    @Override
    public Outcome run(DispatchMessage message, JobContext context) {
        GridSpec spec = message.spec(GridSpec.class);
        if (message.tile() == null) {
            return assemble(spec, message);
        }
        GridRun.Session open = session(spec, message);
        TileValues values = open.compute(message.tile(), worker.workerId(), context::shouldStop);
        metrics.tile(message.tile().points(), java.time.Duration.ofNanos((long) (values.seconds() * 1e9)));
        return Outcome.tile(message.tile().index(), JSON.writeValueAsBytes(values));
    }

    private synchronized GridRun.Session session(GridSpec spec, DispatchMessage message) {
        if (session != null && message.jobId().equals(sessionJob) && message.attempt() == sessionAttempt) {
            return session;
        }
        release();
        DispatchMessage.Input first = message.inputs().get(0);
        session = grids.open(spec, first.model(), field -> {
            DispatchMessage.Input input = message.input(field);
            return store.get(input.key(), input.sha256());
        }, device, worker.gridMemory().toBytes());
        sessionJob = message.jobId();
        sessionAttempt = message.attempt();
        return session;
    }

    private Outcome assemble(GridSpec spec, DispatchMessage message) {
        release();
        List<TileValues> tiles = new ArrayList<>();
        for (DispatchMessage.Input input : message.inputs()) {
            if (input.field().startsWith("tiles[")) {
                tiles.add(JSON.readValue(store.get(input.key(), input.sha256()), TileValues.class));
            }
        }
        GridAssembly.Output output = GridAssembly.assemble(spec, tiles);
        List<Upload> uploads = new ArrayList<>();
        uploads.add(new Upload("grid.npz", "application/octet-stream", output.npz()));
        uploads.add(new Upload("grid.json", "application/json", output.json()));
        uploads.addAll(Upload.of(output.pictures()));
        return new Outcome(JSON.valueToTree(output.result()), uploads);
    }

    /** Frees the device memory the last grid held. */
    @PreDestroy
    synchronized void release() {
        if (session != null) {
            session.close();
            session = null;
            sessionJob = null;
        }
    }
}
