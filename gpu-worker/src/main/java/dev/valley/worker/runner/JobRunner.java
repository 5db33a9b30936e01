package dev.valley.worker.runner;

import ai.djl.Device;
import ai.djl.engine.EngineException;
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
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs one attempt this worker has taken and reports every step of its life as an event: heartbeats while it runs
 * (the api-service's lease), progress, and exactly one end, delivered with the broker's confirm. How it ended says
 * what happens next: {@code FAILED} for the job's own fault (never retried), {@code INTERRUPTED} for the
 * platform's (retried with backoff), {@code RELEASED} when this worker stopped and handed the attempt back.
 */
@Component
class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final Map<JobType, JobHandler> handlers = new EnumMap<>(JobType.class);
    private final EventReporter reporter;
    private final CancelRequests cancels;
    private final ObjectStore store;
    private final WorkerProperties worker;
    private final Device device;
    private final ComputeThread compute;
    private final String workerId;
    private final WorkerMetrics metrics;
    private volatile boolean handingBack;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "valley-heartbeat");
        t.setDaemon(true);
        return t;
    });

    JobRunner(List<JobHandler> handlers, EventReporter reporter, CancelRequests cancels, ObjectStore store,
            WorkerProperties worker, Device device, ComputeThread compute, WorkerMetrics metrics) {
        this.metrics = metrics;
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

    String workerId() {
        return workerId;
    }

    /**
     * Tells the platform this worker takes the attempt; true once the broker confirmed it. Only then may the
     * dispatch be acknowledged: from here on the api-service's lease, not the message, keeps the attempt alive.
     */
    boolean take(DispatchMessage message) {
        cancels.begin(message.jobId(), message.attempt());
        Integer tile = tileOf(message);
        JobEvent started = JobEvent.started(message.jobId(), message.attempt(), workerId,
                device + (tile == null ? "" : ", tile " + tile)).forTile(tile);
        if (reporter.sendConfirmed(started)) {
            return true;
        }
        cancels.end(message.jobId());
        return false;
    }

    /** Runs a taken attempt to its end. */
    void run(DispatchMessage message) {
        var jobId = message.jobId();
        int attempt = message.attempt();
        Integer tile = tileOf(message);
        long interval = worker.heartbeatInterval().toMillis();
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
                () -> reporter.report(JobEvent.heartbeat(jobId, attempt, workerId).forTile(tile)), interval, interval,
                TimeUnit.MILLISECONDS);
        JobEvent end;
        long began = System.nanoTime();
        try {
            end = attempt(message);
            metrics.attempt(message.type().wireName(), end.kind().name().toLowerCase(java.util.Locale.ROOT),
                    Duration.ofNanos(System.nanoTime() - began));
        } finally {
            heartbeat.cancel(false);
        }
        try {
            reporter.deliver(end, worker.reportPatience());
        } finally {
            cancels.end(jobId);
        }
    }

    /** Computes the attempt and uploads what it made; every way it can end is the event that says so. */
    private JobEvent attempt(DispatchMessage message) {
        try {
            JobHandler handler = handler(message);
            Optional<JobEvent> stored = storedTile(message);
            if (stored.isPresent()) {
                return stored.get();
            }
            JobHandler.Outcome outcome = compute.call(() -> handler.run(message, context(message)));
            if (cancels.isCancelled(message.jobId())) {
                throw new CancelledException(0, 0);
            }
            return upload(message, outcome);
        } catch (CancelledException e) {
            return stopped(message, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            return failed(message, e);
        }
    }

    private JobHandler handler(DispatchMessage message) {
        JobHandler handler = handlers.get(message.type());
        if (handler == null) {
            throw new IllegalArgumentException("this worker has no handler for job type " + message.type());
        }
        return handler;
    }

    /** A tile stored before (by an earlier attempt or a redelivery) is not computed again. */
    private Optional<JobEvent> storedTile(DispatchMessage message) {
        if (message.tile() == null) {
            return Optional.empty();
        }
        int index = message.tile().index();
        return store.find(ArtifactKeys.tile(message.jobId(), index)).map(stored -> {
            log.info("job {} tile {} was stored already", message.jobId(), index);
            return JobEvent.tileDone(message.jobId(), message.attempt(), workerId, index, stored);
        });
    }

    /** What the handler may tell and ask: progress, checkpoints under this attempt's key, whether to stop. */
    private JobContext context(DispatchMessage message) {
        String checkpointKey = ArtifactKeys.of(message.jobId(), message.attempt(), ArtifactKeys.CHECKPOINT);
        return new JobContext(message.jobId(), message.attempt(), workerId, reporter, cancels,
                () -> handingBack || cancels.isReleased(message.jobId()),
                worker.progressInterval(), worker.checkpointEvery(),
                bytes -> {
                    long began = System.nanoTime();
                    store.put(checkpointKey, ArtifactKeys.CHECKPOINT, "application/octet-stream", bytes);
                    metrics.checkpoint(bytes.length, Duration.ofNanos(System.nanoTime() - began));
                },
                () -> lastCheckpoint(message), metrics::samplesPerSecond);
    }

    /** A tile's values under the job (they depend on no attempt), or the artifacts under the attempt. */
    private JobEvent upload(DispatchMessage message, JobHandler.Outcome outcome) {
        var jobId = message.jobId();
        int attempt = message.attempt();
        if (outcome.tile() != null) {
            JobHandler.Upload values = outcome.uploads().get(0);
            ArtifactInfo stored = store.put(ArtifactKeys.tile(jobId, outcome.tile()), values.name(),
                    values.contentType(), values.bytes());
            log.info("job {} attempt {} tile {} stored", jobId, attempt, outcome.tile());
            return JobEvent.tileDone(jobId, attempt, workerId, outcome.tile(), stored);
        }
        // An attempt's artifacts are written once. The outbox publishes at least once, so one dispatch may be
        // delivered twice (an api process killed between the broker's confirm and its commit) and the attempt run
        // again after the job ended: that run leaves what the first stored and reports it, never replacing an
        // artifact the job may have recorded already.
        List<ArtifactInfo> uploaded = new ArrayList<>();
        for (JobHandler.Upload upload : outcome.uploads()) {
            String key = ArtifactKeys.of(jobId, attempt, upload.name());
            Optional<ArtifactInfo> earlier = store.find(key);
            if (earlier.isPresent()) {
                log.warn("job {} attempt {}: {} is stored already, by an earlier run of this attempt (a dispatch"
                        + " delivered twice); it is left as it is", jobId, attempt, upload.name());
                uploaded.add(earlier.get());
                continue;
            }
            uploaded.add(store.put(key, upload.name(), upload.contentType(), upload.bytes()));
        }
        log.info("job {} attempt {} finished", jobId, attempt);
        return JobEvent.finished(jobId, attempt, workerId, outcome.result(), uploaded);
    }

    /**
     * Stopped at a step: handed back when it was preempted or this worker is stopping, and nobody cancelled it;
     * cancelled otherwise.
     */
    private JobEvent stopped(DispatchMessage message, CancelledException e) {
        var jobId = message.jobId();
        int attempt = message.attempt();
        boolean preempted = cancels.isReleased(jobId);
        if ((preempted || handingBack) && !cancels.isCancelled(jobId)) {
            String why = preempted ? "preempted by a job of higher priority" : "worker " + workerId + " stopped";
            log.info("job {} attempt {} handed back, {}: {}", jobId, attempt, why, e.getMessage());
            return JobEvent.released(jobId, attempt, workerId, why + " (" + e.getMessage()
                    + "); the next attempt resumes from the last checkpoint");
        }
        log.info("job {} attempt {} {}", jobId, attempt, e.getMessage());
        return JobEvent.cancelled(jobId, attempt, workerId);
    }

    /** The platform's fault (retried as INTERRUPTED) or the job's (FAILED, not retried). */
    private JobEvent failed(DispatchMessage message, Throwable e) {
        var jobId = message.jobId();
        int attempt = message.attempt();
        if (isInfrastructure(e)) {
            log.warn("job {} attempt {} interrupted", jobId, attempt, e);
            return JobEvent.interrupted(jobId, attempt, workerId, describe(e));
        }
        log.warn("job {} attempt {} failed", jobId, attempt, e);
        return JobEvent.failed(jobId, attempt, workerId, describe(e));
    }

    /**
     * The latest checkpoint this job stored: of this attempt (a dispatch published again after an in-memory broker
     * restarted) or of an earlier one (each attempt resumes from its predecessor's, so the latest attempt that
     * stored one is furthest along); empty when there is none.
     */
    private Optional<byte[]> lastCheckpoint(DispatchMessage message) {
        for (int earlier = message.attempt(); earlier >= 1; earlier--) {
            String key = ArtifactKeys.of(message.jobId(), earlier, ArtifactKeys.CHECKPOINT);
            Optional<ArtifactInfo> found = store.find(key);
            if (found.isPresent()) {
                return Optional.of(store.get(key, found.get().sha256()));
            }
        }
        return Optional.empty();
    }

    /**
     * Failures of the platform rather than of the job: storage, broker, device memory, the engine. Another attempt
     * (perhaps on another worker) may succeed; anything else (bad input, divergence) would only fail again.
     */
    static boolean isInfrastructure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkException || t instanceof AmqpException || t instanceof UncheckedIOException
                    || t instanceof java.io.IOException || t instanceof OutOfMemoryError
                    || (t instanceof EngineException && String.valueOf(t.getMessage()).contains("out of memory"))) {
                return true;
            }
        }
        return false;
    }

    private static Integer tileOf(DispatchMessage message) {
        return message.tile() == null ? null : message.tile().index();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** From now on the running attempt stops at its next step and is handed back; nothing new is taken. */
    void handBack() {
        handingBack = true;
    }

    @PreDestroy
    void stop() {
        heartbeats.shutdownNow();
    }
}
