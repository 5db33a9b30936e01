package dev.valley.api.job;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live job views as server-sent events: a stream per job (its view now, then after every change; it ends after
 * the job's final state) and one for every job. Changes come from PostgreSQL ({@code LISTEN valley_jobs}, which
 * a trigger notifies at commit), so a stream sees what any api instance or worker event changed. One listening
 * connection per api instance; each changed job is read once per batch of notifications, however many watch it.
 */
@Component
public class JobStreams implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobStreams.class);
    static final String CHANNEL = "valley_jobs";

    private final DataSource dataSource;
    private final JobService jobs;
    private final JobEpochs epochs;
    /** Per job stream: how many of the job's epochs it was sent. */
    private final Map<SseEmitter, Integer> epochsSent = new ConcurrentHashMap<>();
    private final Map<UUID, List<SseEmitter>> perJob = new ConcurrentHashMap<>();
    private final List<SseEmitter> all = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread listener;

    JobStreams(DataSource dataSource, JobService jobs, JobEpochs epochs, dev.valley.api.metrics.ApiMetrics metrics) {
        metrics.streams(() -> all.size() + perJob.values().stream().mapToInt(List::size).sum());
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.epochs = epochs;
    }

    /**
     * The job's view now, then after each change, as {@code job} events; its epochs' figures as {@code epoch} events,
     * each once (those reported before the stream opened first); completes after a final state.
     */
    SseEmitter job(UUID id) {
        JobView now = jobs.get(id, false);
        SseEmitter emitter = emitter();
        if (!send(emitter, now) || !sendEpochs(emitter, id, epochs.of(id))) {
            return emitter;
        }
        if (now.status().isFinal()) {
            emitter.complete();
            return emitter;
        }
        perJob.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(emitter);
        Runnable remove = () -> {
            epochsSent.remove(emitter);
            perJob.computeIfPresent(id, (k, list) -> {
                list.remove(emitter);
                return list.isEmpty() ? null : list;
            });
        };
        emitter.onCompletion(remove);
        emitter.onError(e -> remove.run());
        emitter.onTimeout(remove);
        // A change between the read above and the registration would be lost: read again once registered.
        JobView again = jobs.get(id, false);
        if (!again.equals(now) && send(emitter, again) && sendEpochs(emitter, id, epochs.of(id))
                && again.status().isFinal()) {
            emitter.complete();
        }
        return emitter;
    }

    /** Every job's view after each change (new jobs included), from now on. */
    SseEmitter everyJob() {
        SseEmitter emitter = emitter();
        all.add(emitter);
        emitter.onCompletion(() -> all.remove(emitter));
        emitter.onError(e -> all.remove(emitter));
        emitter.onTimeout(() -> all.remove(emitter));
        try {
            emitter.send(SseEmitter.event().comment("watching every job"));
        } catch (IOException e) {
            all.remove(emitter);
        }
        return emitter;
    }

    private static SseEmitter emitter() {
        return new SseEmitter(0L);
    }

    /** A comment line on every stream: keeps proxies from closing a quiet one, and finds clients that left. */
    public void keepAlive() {
        List<SseEmitter> emitters = new java.util.ArrayList<>(all);
        perJob.values().forEach(emitters::addAll);
        for (SseEmitter emitter : emitters) {
            try {
                emitter.send(SseEmitter.event().comment("keep-alive"));
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
            }
        }
    }

    private void deliver(Set<UUID> changed) {
        for (UUID id : changed) {
            List<SseEmitter> watching = perJob.getOrDefault(id, List.of());
            if (watching.isEmpty() && all.isEmpty()) {
                continue;
            }
            JobView view;
            List<JobEpochs.EpochReport> history;
            try {
                view = jobs.get(id, false);
                // Read once for every stream of the job; each is sent what it has not had yet.
                history = watching.isEmpty() ? List.of() : epochs.of(id);
            } catch (RuntimeException e) {
                log.debug("job {} changed but cannot be read: {}", id, e.toString());
                continue;
            }
            for (SseEmitter emitter : watching) {
                if (sendEpochs(emitter, id, history) && send(emitter, view) && view.status().isFinal()) {
                    emitter.complete();
                }
            }
            all.forEach(emitter -> send(emitter, view));
        }
    }

    /** The epochs of the job's history ({@code all}) this stream has not been sent yet, as {@code epoch} events. */
    private boolean sendEpochs(SseEmitter emitter, UUID id, List<JobEpochs.EpochReport> all) {
        int sent = epochsSent.getOrDefault(emitter, 0);
        try {
            for (int i = sent; i < all.size(); i++) {
                JobEpochs.EpochReport e = all.get(i);
                emitter.send(SseEmitter.event().name("epoch").id(id + ":" + e.series() + ":" + e.epoch())
                        .data(e, MediaType.APPLICATION_JSON));
            }
            epochsSent.put(emitter, all.size());
            return true;
        } catch (IOException | IllegalStateException ex) {
            emitter.completeWithError(ex);
            return false;
        }
    }

    private static boolean send(SseEmitter emitter, JobView view) {
        try {
            emitter.send(SseEmitter.event().name("job").id(view.id() + ":" + view.status() + ":" + view.progress())
                    .data(view, MediaType.APPLICATION_JSON));
            return true;
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
            return false;
        }
    }

    private void listen() {
        Duration retry = Duration.ofSeconds(1);
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                retry = Duration.ofSeconds(1);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    Set<UUID> changed = new LinkedHashSet<>();
                    for (PGNotification n : notifications) {
                        changed.add(UUID.fromString(n.getParameter()));
                    }
                    deliver(changed);
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                // The database is away (restarting): streams stay open and resume once it is back.
                log.warn("job notifications interrupted ({}); listening again in {}", e.toString(), retry);
                try {
                    Thread.sleep(retry.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                retry = retry.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                        : retry.multipliedBy(2);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        listener = new Thread(this::listen, "valley-job-notifications");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
        all.forEach(SseEmitter::complete);
        perJob.values().forEach(list -> list.forEach(SseEmitter::complete));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
