package dev.valley.api.dataset;

import dev.valley.model.dataset.DatasetManifest;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/** {@code POST /api/v1/datasets} (multipart: {@code format}, the format's files, and options), list, get, delete. */
@RestController
@RequestMapping("/api/v1/datasets")
class DatasetController {
    private final DatasetService datasets;

    DatasetController(DatasetService datasets) {
        this.datasets = datasets;
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<DatasetManifest> upload(MultipartHttpServletRequest request,
            @RequestParam(required = false) String format, @RequestParam(required = false) String name,
            @RequestParam(required = false) String labelColumn, @RequestParam(required = false) Double testFraction,
            @RequestParam(required = false) Long seed) {
        DatasetManifest stored = datasets.upload(new DatasetService.Upload(format, name, labelColumn, testFraction,
                seed, request.getFileMap()));
        return ResponseEntity.created(URI.create("/api/v1/datasets/" + stored.id())).body(stored);
    }

    /** Newest first. */
    @GetMapping
    List<DatasetManifest> list() {
        return datasets.list();
    }

    @GetMapping("/{id}")
    DatasetManifest get(@PathVariable UUID id) {
        return datasets.get(id);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        datasets.delete(id);
        return ResponseEntity.noContent().build();
    }
}
