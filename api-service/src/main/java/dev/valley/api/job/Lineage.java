package dev.valley.api.job;

import dev.valley.api.dataset.DatasetService;
import dev.valley.api.model.ModelService;
import dev.valley.model.dataset.DatasetManifest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Where a job's result came from and what was built on it: the jobs, uploaded datasets and uploaded models upstream
 * of it (its inputs, theirs, and so on) and the jobs downstream (those that read it, and so on), with an edge from
 * each input to the job that read it, naming the spec field and the artifact. At most {@link #MAX_NODES} nodes.
 */
@Component
class Lineage {
    static final int MAX_NODES = 500;

    /** A job, an uploaded dataset or an uploaded model; {@code depth} counts steps upstream (< 0) or down (> 0). */
    record LineageNode(String id, String kind, @Nullable String type, @Nullable String name, @Nullable String status,
            int depth) {
    }

    /** {@code from} is an input of {@code to}, read through spec field {@code field} as {@code artifact}. */
    record LineageEdge(String from, String to, String field, @Nullable String artifact) {
    }

    record LineageGraph(String root, List<LineageNode> nodes, List<LineageEdge> edges, boolean truncated) {
    }

    private final JobRepository jobs;
    private final JobInputRepository inputs;
    private final ModelService models;
    private final DatasetService datasets;

    Lineage(JobRepository jobs, JobInputRepository inputs, ModelService models, DatasetService datasets) {
        this.jobs = jobs;
        this.inputs = inputs;
        this.models = models;
        this.datasets = datasets;
    }

    @Transactional(readOnly = true)
    LineageGraph of(Job root) {
        Map<String, LineageNode> nodes = new LinkedHashMap<>();
        List<LineageEdge> edges = new ArrayList<>();
        nodes.put(root.getId().toString(), job(root, 0));
        boolean truncated = walk(root, -1, nodes, edges) | walk(root, 1, nodes, edges);
        return new LineageGraph(root.getId().toString(), List.copyOf(nodes.values()), edges, truncated);
    }

    /** Breadth first from {@code root}, up ({@code step} -1) or down (+1); true when it stopped at the limit. */
    private boolean walk(Job root, int step, Map<String, LineageNode> nodes, List<LineageEdge> edges) {
        Deque<Job> open = new ArrayDeque<>(List.of(root));
        Map<UUID, Integer> depth = new LinkedHashMap<>(Map.of(root.getId(), 0));
        while (!open.isEmpty()) {
            Job job = open.poll();
            int d = depth.get(job.getId()) + step;
            List<JobInput> links = step < 0 ? inputs.findByJobIdOrderByField(job.getId())
                    : inputs.findBySourceJobIdOrderByJobId(job.getId());
            if (step < 0) {
                dataset(job, d, nodes, edges);
            }
            for (JobInput link : links) {
                if (nodes.size() >= MAX_NODES) {
                    return true;
                }
                if (step < 0 && link.getSourceModelId() != null) {
                    models.find(link.getSourceModelId()).ifPresent(m -> {
                        String id = m.id().toString();
                        nodes.putIfAbsent(id, new LineageNode(id, "model", m.model().arch(), m.name(), null, d));
                        edges.add(new LineageEdge(id, job.getId().toString(), link.getField(), "model.safetensors"));
                        uploadedDataset(m.dataset(), id, d - 1, nodes, edges);
                    });
                    continue;
                }
                UUID next = step < 0 ? link.getSourceJobId() : link.getJobId();
                Job other = jobs.findById(next).orElse(null);
                if (other == null) {
                    continue;
                }
                UUID from = step < 0 ? next : job.getId();
                UUID to = step < 0 ? job.getId() : next;
                edges.add(new LineageEdge(from.toString(), to.toString(), link.getField(), link.getArtifact()));
                if (nodes.putIfAbsent(next.toString(), job(other, d)) == null) {
                    depth.put(next, d);
                    open.add(other);
                }
            }
        }
        return false;
    }

    /** An uploaded dataset the job trains or evaluates on is an input of it too. */
    private void dataset(Job job, int depth, Map<String, LineageNode> nodes, List<LineageEdge> edges) {
        uploadedDataset(job.spec().dataset(), job.getId().toString(), depth, nodes, edges);
    }

    private void uploadedDataset(String dataset, String to, int depth, Map<String, LineageNode> nodes, List<LineageEdge> edges) {
        if (!DatasetManifest.isUploaded(dataset)) {
            return;
        }
        datasets.find(UUID.fromString(dataset)).ifPresent(m -> {
            nodes.putIfAbsent(dataset, new LineageNode(dataset, "dataset", m.format(), m.name(), null, depth));
            edges.add(new LineageEdge(dataset, to, "dataset", null));
        });
    }

    private static LineageNode job(Job job, int depth) {
        return new LineageNode(job.getId().toString(), "job", job.getType().wireName(), job.getName(),
                job.getStatus().name(), depth);
    }
}
