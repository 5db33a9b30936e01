package dev.valley.api.job;

import dev.valley.api.artifact.ArtifactDownloads;
import dev.valley.model.job.JobStatus;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/jobs")
class JobController {
    private final JobService jobs;
    private final ArtifactDownloads downloads;
    private final JobStreams streams;
    private final Lineage lineage;
    private final dev.valley.api.metrics.ApiMetrics metrics;

    JobController(JobService jobs, ArtifactDownloads downloads, JobStreams streams, Lineage lineage,
            dev.valley.api.metrics.ApiMetrics metrics) {
        this.metrics = metrics;
        this.jobs = jobs;
        this.downloads = downloads;
        this.streams = streams;
        this.lineage = lineage;
    }

    /** A type's spec with every default filled in (refs as the zero id), for forms to start from. */
    @GetMapping("/defaults/{type}")
    tools.jackson.databind.JsonNode defaults(@PathVariable String type) {
        return jobs.defaults(type);
    }

    /** Server-sent events {@code job}: the job's view now and after every change, until its final state. */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable UUID id) {
        return streams.job(id);
    }

    /** Server-sent events {@code job}: every job's view after every change, new jobs included. */
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter allEvents() {
        return streams.everyJob();
    }

    @PostMapping
    ResponseEntity<JobView> submit(@RequestBody SubmitJobRequest request) {
        JobView job = jobs.submit(request);
        metrics.submitted(job.type(), job.reused());
        if (job.reused()) { // nothing was created: the answer is a job that computed the same
            return ResponseEntity.ok().location(URI.create("/api/v1/jobs/" + job.id())).body(job);
        }
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + job.id())).body(job);
    }

    @GetMapping("/{id}")
    JobView get(@PathVariable UUID id) {
        return jobs.get(id);
    }

    /** Newest first. */
    @GetMapping
    Page<JobView> list(@RequestParam(required = false) JobStatus status, @RequestParam(required = false) String type,
            @RequestParam(required = false) String experiment, @RequestParam(required = false) List<String> tag,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "20") int size) {
        return jobs.list(status, type, experiment, tag, page, size);
    }

    /** The jobs, uploaded datasets and models a job's result came from, and the jobs built on it. */
    @GetMapping("/{id}/lineage")
    Lineage.LineageGraph lineage(@PathVariable UUID id) {
        return lineage.of(jobs.find(id));
    }

    @PostMapping("/{id}/cancel")
    JobView cancel(@PathVariable UUID id) {
        return jobs.cancel(id);
    }

    @GetMapping("/{id}/artifacts/{name}")
    ResponseEntity<Resource> artifact(@PathVariable UUID id, @PathVariable String name) {
        jobs.find(id);
        return downloads.download(id, name);
    }
}
