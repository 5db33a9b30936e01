package dev.valley.api.artifact;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ArtifactRepository extends JpaRepository<Artifact, Artifact.Key> {
    List<Artifact> findByJobIdOrderByName(UUID jobId);

    Optional<Artifact> findByJobIdAndName(UUID jobId, String name);
}
