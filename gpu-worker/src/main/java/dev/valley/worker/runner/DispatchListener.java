package dev.valley.worker.runner;

import ai.djl.Device;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.artifact.ArtifactKeys;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.worker.WorkerProperties;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.train.CancelledException;
import dev.valley.worker.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Takes one dispatch at a time (prefetch 1), runs it and reports every step of its life as an event. The message
 * is acknowledged when the job has ended; the api-service's conditional updates make a redelivered dispatch of a
 * job that already ran change nothing.
 */
@Component
class DispatchListener {
    private static final Logger log = LoggerFactory.getLogger(DispatchListener.class);

    private final Map<JobType, JobHandler> handlers = new EnumMap<>(JobType.class);
    private final EventReporter reporter;
    private final CancelRequests cancels;
    private final ObjectStore store;
    private final WorkerProperties worker;
    private final Device device;
    private final ComputeThread compute;
    private final String workerId;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "valley-heartbeat");
        t.setDaemon(true);
        return t;
    });

    DispatchListener(List<JobHandler> handlers, EventReporter reporter, CancelRequests cancels, ObjectStore store,
            WorkerProperties worker, Device device, ComputeThread compute) {
        handlers.forEach(h -> this.handlers.put(h.type(), h));
        this.reporter = reporter;
        this.cancels = cancels;
        this.store = store;
        this.worker = worker;
        this.device = device;
        this.compute = compute;
        this.workerId = worker.workerId();
        log.info("worker {} takes pool '{}' on {}", workerId, worker.pool(), device);
    }

    @RabbitListener(queues = "#{T(dev.valley.model.queue.Queues).dispatchQueue('${valley.worker.pool:default}')}")
    void on(DispatchMessage message) {
        var jobId = message.jobId();
        int attempt = message.attempt();
        cancels.begin(jobId);
        reporter.report(JobEvent.started(jobId, attempt, workerId, device.toString()));
        long interval = worker.heartbeatInterval().toMillis();
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
                () -> reporter.report(JobEvent.heartbeat(jobId, attempt, workerId)), interval, interval,
                TimeUnit.MILLISECONDS);
        try {
            JobHandler handler = handlers.get(message.type());
            if (handler == null) {
                throw new IllegalArgumentException("this worker has no handler for job type " + message.type());
            }
            if (message.tile() != null) {
                // A tile stored before (a redelivery after this worker's predecessor stored it) is not computed again.
                var stored = store.find(ArtifactKeys.tile(jobId, message.tile().index()));
                if (stored.isPresent()) {
                    reporter.report(JobEvent.tileDone(jobId, attempt, workerId, message.tile().index(), stored.get()));
                    log.info("job {} tile {} was stored already", jobId, message.tile().index());
                    return;
                }
            }
            String checkpointKey = ArtifactKeys.of(jobId, attempt, ArtifactKeys.CHECKPOINT);
            JobContext context = new JobContext(jobId, attempt, workerId, reporter, cancels, worker.progressInterval(),
                    worker.checkpointEvery(), bytes -> store.put(checkpointKey, ArtifactKeys.CHECKPOINT,
                            "application/octet-stream", bytes));
            JobHandler.Outcome outcome = compute.call(() -> handler.run(message, context));
            if (context.cancelRequested()) {
                throw new CancelledException(0, 0);
            }
            if (outcome.tile() != null) {
                JobHandler.Upload values = outcome.uploads().get(0);
                reporter.report(JobEvent.tileDone(jobId, attempt, workerId, outcome.tile(), store.put(
                        ArtifactKeys.tile(jobId, outcome.tile()), values.name(), values.contentType(), values.bytes())));
                log.info("job {} attempt {} tile {} stored", jobId, attempt, outcome.tile());
                return;
            }
            List<ArtifactInfo> uploaded = new ArrayList<>();
            for (JobHandler.Upload upload : outcome.uploads()) {
                uploaded.add(store.put(ArtifactKeys.of(jobId, attempt, upload.name()), upload.name(),
                        upload.contentType(), upload.bytes()));
            }
            reporter.report(JobEvent.finished(jobId, attempt, workerId, outcome.result(), uploaded));
            log.info("job {} attempt {} finished", jobId, attempt);
        } catch (CancelledException e) {
            log.info("job {} attempt {} {}", jobId, attempt, e.getMessage());
            reporter.report(JobEvent.cancelled(jobId, attempt, workerId));
        } catch (RuntimeException | OutOfMemoryError e) {
            log.warn("job {} attempt {} failed", jobId, attempt, e);
            reporter.report(JobEvent.failed(jobId, attempt, workerId, describe(e)));
        } finally {
            heartbeat.cancel(false);
            cancels.end(jobId);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @PreDestroy
    void stop() {
        heartbeats.shutdownNow();
    }
}
