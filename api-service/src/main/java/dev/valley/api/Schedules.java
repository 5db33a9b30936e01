package dev.valley.api;

import dev.valley.api.artifact.AttemptObjects;
import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.api.dispatch.PreemptionProperties;
import dev.valley.api.dispatch.PublishOutbox;
import dev.valley.api.job.JobStreams;
import dev.valley.api.job.LeaseMonitor;
import dev.valley.api.job.Preemption;
import dev.valley.api.web.ApiProperties;
import dev.valley.storage.StorageProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * The api-service's recurring duties, each a small class with one verb, scheduled here and only here, every one at
 * the interval its configuration record gives (and defaults, once): publish the outbox, expire lapsed leases, keep
 * the event streams alive, run the storage cleanups a dead process left, preempt (where it is on).
 */
@Configuration(proxyBeanMethods = false)
class Schedules implements SchedulingConfigurer {
    private final PublishOutbox outbox;
    private final LeaseMonitor leases;
    private final JobStreams streams;
    private final DispatchProperties dispatch;
    private final ApiProperties api;
    private final AttemptObjects objects;
    private final StorageProperties storage;
    private final Preemption preemption;
    private final PreemptionProperties preemptionProperties;

    Schedules(PublishOutbox outbox, LeaseMonitor leases, JobStreams streams, DispatchProperties dispatch,
            ApiProperties api, AttemptObjects objects, StorageProperties storage, Preemption preemption,
            PreemptionProperties preemptionProperties) {
        this.preemption = preemption;
        this.preemptionProperties = preemptionProperties;
        this.objects = objects;
        this.storage = storage;
        this.outbox = outbox;
        this.leases = leases;
        this.streams = streams;
        this.dispatch = dispatch;
        this.api = api;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(outbox::publishPending, dispatch.publishInterval());
        registrar.addFixedDelayTask(leases::expire, dispatch.leaseCheck());
        registrar.addFixedDelayTask(streams::keepAlive, api.streamKeepalive());
        registrar.addFixedDelayTask(() -> objects.sweep(storage.cleanupSweep()), storage.cleanupSweep());
        if (preemptionProperties.enabled()) {
            registrar.addFixedDelayTask(preemption::check, preemptionProperties.check());
        }
    }
}
