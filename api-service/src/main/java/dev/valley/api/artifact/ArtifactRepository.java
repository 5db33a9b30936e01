package dev.valley.api.artifact;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ArtifactRepository extends JpaRepository<Artifact, Artifact.Key> {
    List<Artifact> findByJobIdOrderByName(UUID jobId);

    List<Artifact> findByJobIdInOrderByName(Collection<UUID> jobIds);

    Optional<Artifact> findByJobIdAndName(UUID jobId, String name);
}
