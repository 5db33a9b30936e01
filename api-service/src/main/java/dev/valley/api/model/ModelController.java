package dev.valley.api.model;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /api/v1/models} (multipart: {@code file}, {@code format}, {@code model}, {@code dataset},
 * {@code name}), list, get. {@code format}: {@code safetensors} (the default: weights for the built-in
 * architecture {@code model} names) or {@code torchscript} (a module, inspected by a worker before use).
 */
@RestController
@RequestMapping("/api/v1/models")
class ModelController {
    private final ModelService models;
    private final TorchScriptUploads modules;

    ModelController(ModelService models, TorchScriptUploads modules) {
        this.models = models;
        this.modules = modules;
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<UploadedModel> upload(@RequestParam(required = false) MultipartFile file,
            @RequestParam(required = false) String model, @RequestParam(required = false) String dataset,
            @RequestParam(required = false) String name, @RequestParam(required = false) String format) {
        UploadedModel stored = switch (format == null ? UploadedModel.SAFETENSORS : format) {
            case UploadedModel.SAFETENSORS -> models.upload(name, model, dataset, file);
            case UploadedModel.TORCHSCRIPT -> modules.upload(name, model, dataset, file);
            default -> throw new dev.valley.api.web.InvalidRequestException("format", "'" + format
                    + "' is not a format: safetensors (weights for a built-in architecture) or torchscript");
        };
        return ResponseEntity.created(URI.create("/api/v1/models/" + stored.id())).body(stored);
    }

    /** Newest first. */
    @GetMapping
    List<UploadedModel> list() {
        return models.list();
    }

    @GetMapping("/{id}")
    UploadedModel get(@PathVariable UUID id) {
        return models.get(id);
    }
}
