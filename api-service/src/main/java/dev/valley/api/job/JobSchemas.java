package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.Description;
import dev.valley.model.job.JobType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Discriminator;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import jakarta.validation.Constraint;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document's job types, each its own schema, made from {@link JobType} so that a new type is described
 * as soon as it exists: {@code {Type}Spec} with every field's type, its range (from the spec's constraints, composed
 * ones such as {@code Sgd.Rate} included), its default (what {@code GET /api/v1/jobs/defaults/{type}} returns) and
 * its {@link Description};
 * {@code {Type}Job}, the body that submits one; {@code POST /api/v1/jobs}'s body, a {@code oneOf} of those with a
 * discriminator on {@code type}; and {@code {Type}Result}. {@code info} carries Valley's name and version.
 */
@Configuration(proxyBeanMethods = false)
class JobSchemas {
    private static final String REF = "#/components/schemas/";

    @Bean
    OpenApiCustomizer jobTypes(JobSpecs specs, Optional<BuildProperties> build) {
        return openApi -> {
            openApi.info(new Info().title("Valley").version(build.map(BuildProperties::getVersion).orElse("dev"))
                    .description("Loss-landscape research as jobs: train, curve, swa, fge, grid, align, compare, simplex,"
                            + " hessian;"
                            + " an uploaded TorchScript module is inspected by an inspect job."));
            ModelConverters converters = ModelConverters.getInstance(true);
            Map<String, Schema> schemas = openApi.getComponents().getSchemas();
            // springdoc's own ModelSpec schema (from the uploads) is of OpenAPI 3.0's kind; ours are 3.1's.
            schemas.remove("ModelSpec");
            List<Schema> bodies = new ArrayList<>();
            Discriminator discriminator = new Discriminator().propertyName("type");
            for (JobType type : JobType.values()) {
                String name = title(type);
                // Once each: a schema two types share (ModelSpec) keeps what an earlier type added to it.
                converters.readAll(type.specType()).forEach(schemas::putIfAbsent);
                converters.readAll(type.resultType()).forEach(schemas::putIfAbsent);
                Schema<?> spec = ownFields(schemas, type.specType().getSimpleName());
                JsonNode defaults = specs.defaults(type);
                describe(spec, type.specType(), defaults, specs.given(type));
                allowNulls(spec, defaults, schemas);
                explain(type.specType(), schemas, new java.util.HashSet<>());
                if (!type.isSubmittable()) {
                    continue; // its spec and result appear in a job's view, but no client submits one
                }
                Schema<?> body = new ObjectSchema()
                        .addProperty("type", new Schema<String>().typesItem("string")._enum(List.of(type.wireName())))
                        .addProperty("name", new Schema<String>().typesItem("string").minLength(1)
                                .maxLength(JobService.MAX_NAME))
                        .addProperty("spec", new Schema<>().$ref(REF + type.specType().getSimpleName()))
                        .addProperty("resources", new Schema<>().$ref(REF + "Resources"))
                        .addProperty("experiment", new Schema<String>().typesItem("string").minLength(1)
                                .maxLength(JobLabels.MAX_EXPERIMENT).description("files the job under this name"))
                        .addProperty("tags", new Schema<>().typesItem("object").maxProperties(JobLabels.MAX_TAGS)
                                .propertyNames(new Schema<String>().typesItem("string")
                                        .pattern(JobLabels.KEY.pattern()))
                                .additionalProperties(new Schema<String>().typesItem("string")
                                        .maxLength(JobLabels.MAX_VALUE))
                                .description("labels: keys to values; the job list filters by tag=key:value"))
                        .addProperty("reuse", new Schema<Boolean>().typesItem("boolean").description("answer with a "
                                + "SUCCEEDED job of the same result key (type, spec, input SHA-256s) instead of running"))
                        .required(List.of("type", "spec"))
                        .description("Submits a " + type.wireName() + " job.");
                openApi.getComponents().addSchemas(name + "Job", body);
                bodies.add(new Schema<>().$ref(REF + name + "Job"));
                discriminator.mapping(type.wireName(), REF + name + "Job");
            }
            schemas.remove("JobSpec");
            unitsOfASwap(schemas.get("PlaneSpec"));
            Schema<?> view = schemas.get("JobView");
            view.getProperties().put("spec", new Schema<>().oneOf(Arrays.stream(JobType.values())
                    .map(t -> (Schema) new Schema<>().$ref(REF + t.specType().getSimpleName())).toList())
                    .description("the job type's spec, every default filled in"));
            view.getProperties().put("result", new Schema<>().oneOf(Arrays.stream(JobType.values())
                    .map(t -> (Schema) new Schema<>().$ref(REF + t.resultType().getSimpleName())).toList())
                    .description("the job type's result, once it succeeded"));
            schemas.remove("JsonNode");
            // The request body is the oneOf below, not the controller's untyped record.
            schemas.remove("SubmitJobRequest");
            openApi.getPaths().get("/api/v1/jobs/defaults/{type}").getGet().getResponses().get("200")
                    .content(new Content().addMediaType("application/json", new MediaType().schema(new Schema<>()
                            .oneOf(Arrays.stream(JobType.values()).filter(JobType::isSubmittable)
                                    .map(t -> (Schema) new Schema<>()
                                    .$ref(REF + t.specType().getSimpleName())).toList()))));
            for (Class<?> response : List.of(JobView.class, JobView.ArtifactView.class, JobView.TilesView.class,
                    Attempts.Ended.class, JobEpochs.EpochReport.class, Lineage.LineageNode.class,
                    Lineage.LineageEdge.class, Lineage.LineageGraph.class, dev.valley.api.model.UploadedModel.class,
                    dev.valley.model.job.InspectResult.class, dev.valley.model.job.InspectResult.Tensor.class)) {
                present(response, schemas);
            }
            schemas.get("PagedModelJobView").setRequired(List.of("content", "page"));
            schemas.get("PageMetadata").setRequired(List.of("size", "number", "totalElements", "totalPages"));
            Schema<?> oneOf = new Schema<>().oneOf(bodies).discriminator(discriminator);
            openApi.getPaths().get("/api/v1/jobs").getPost().requestBody(new RequestBody().required(true)
                    .content(new Content().addMediaType("application/json", new MediaType().schema(oneOf))));
        };
    }

    /** A swap's {@code units} is [i, j] or the name of a rule: Java holds it as an Object, the schema says which. */
    private static void unitsOfASwap(Schema<?> plane) {
        Schema<?> units = plane.getProperties().get("units");
        plane.getProperties().put("units", new Schema<>().description(units.getDescription()).oneOf(List.of(
                new Schema<>().typesItem("array").minItems(2).maxItems(2)
                        .items(new Schema<Integer>().typesItem("integer").minimum(BigDecimal.ZERO)),
                new Schema<String>().typesItem("string")._enum(List.of(dev.valley.model.job.PlaneSpec.MOST_SIMILAR,
                        dev.valley.model.job.PlaneSpec.MOST_DIFFERENT)),
                new Schema<>().typesItem("null"))));
    }

    /**
     * A spec's schema as its own object: swagger-core writes a subtype of {@code JobSpec} (whose {@code
     * @JsonSubTypes} it sees) as {@code allOf: [JobSpec, {its fields}]}, but a spec's type travels beside it, not
     * inside, so only the fields belong to it.
     */
    private static Schema<?> ownFields(Map<String, Schema> schemas, String name) {
        Schema<?> schema = schemas.get(name);
        if (schema.getAllOf() != null) {
            Schema<?> own = schema.getAllOf().stream().filter(s -> s.get$ref() == null).findFirst().orElseThrow();
            own.setDescription(schema.getDescription());
            schemas.put(name, own);
            return own;
        }
        return schema;
    }

    /**
     * A response record's fields are always there: each is required, and one that may be null (marked
     * {@link Nullable}) takes null beside its type, so that a generated client knows which to test.
     */
    private static void present(Class<?> record, Map<String, Schema> schemas) {
        Schema<?> schema = schemas.get(record.getSimpleName());
        List<String> required = new ArrayList<>();
        for (RecordComponent component : record.getRecordComponents()) {
            Schema<?> property = schema.getProperties().get(component.getName());
            if (property == null) {
                continue;
            }
            required.add(component.getName());
            if (component.isAnnotationPresent(Nullable.class)) {
                schema.getProperties().put(component.getName(), orNull(property));
            }
        }
        schema.setRequired(required);
    }

    private static Schema<?> orNull(Schema<?> property) {
        Schema<?> none = new Schema<>().typesItem("null");
        if (property.get$ref() != null) {
            return new Schema<>().anyOf(List.of(new Schema<>().$ref(property.get$ref()), none))
                    .description(property.getDescription());
        }
        if (property.getOneOf() != null) {
            property.getOneOf().add(none);
            return property;
        }
        property.addType("null");
        return property;
    }

    private static String title(JobType type) {
        return Character.toUpperCase(type.wireName().charAt(0)) + type.wireName().substring(1);
    }

    /**
     * Each field's default and range; no default for a field a client must give (the defaults endpoint holds an
     * example of it, fashion-mnist or the zero id, which is no default). Nothing is required: every field a client leaves out gets its default, and
     * what must be given (endpoints, a plane) is checked and named when it is missing.
     */
    private static void describe(Schema<?> spec, Class<?> record, JsonNode defaults, java.util.Set<String> given) {
        spec.setRequired(null);
        for (RecordComponent component : record.getRecordComponents()) {
            Schema<?> property = spec.getProperties() == null ? null : spec.getProperties().get(component.getName());
            if (property == null) {
                continue;
            }
            JsonNode value = defaults.get(component.getName());
            boolean example = given.contains(component.getName());
            if (value != null && !value.isNull() && property.get$ref() == null && !example) {
                property.setDefault(JSON.treeToValue(value, Object.class));
            }
            for (Annotation annotation : component.getAnnotations()) {
                range(property, annotation);
                if (annotation.annotationType().isAnnotationPresent(Constraint.class)) {
                    for (Annotation composing : annotation.annotationType().getAnnotations()) {
                        range(property, composing);
                    }
                }
            }
        }
    }

    /**
     * A field whose default is null (an option not taken: no subset, no skips) may be sent as null: its schema takes
     * null beside its type, at every depth of the defaults (a model spec inside a spec, refs inside a list).
     */
    private static void allowNulls(Schema<?> schema, JsonNode value, Map<String, Schema> components) {
        Schema<?> resolved = schema.get$ref() == null ? schema
                : components.get(schema.get$ref().substring(REF.length()));
        if (resolved == null || value == null) {
            return;
        }
        if (value.isArray() && resolved.getItems() != null) {
            value.forEach(item -> allowNulls(resolved.getItems(), item, components));
            return;
        }
        if (!value.isObject() || resolved.getProperties() == null) {
            return;
        }
        Map<String, Schema> properties = resolved.getProperties();
        for (String name : value.propertyNames()) {
            Schema<?> property = properties.get(name);
            if (property == null) {
                continue;
            }
            JsonNode field = value.get(name);
            if (!field.isNull()) {
                allowNulls(property, field, components);
            } else if (property.get$ref() != null) {
                properties.put(name, new Schema<>().anyOf(List.of(property, new Schema<>().typesItem("null"))));
            } else if (property.getTypes() != null) {
                property.addType("null");
            }
        }
    }

    /**
     * Each field's {@link Description}, in {@code record}'s schema and in those of the records it holds (a model spec,
     * a plane, refs in a list).
     */
    private static void explain(Class<?> record, Map<String, Schema> schemas, java.util.Set<Class<?>> seen) {
        Schema<?> schema = schemas.get(record.getSimpleName());
        if (!record.isRecord() || schema == null || schema.getProperties() == null || !seen.add(record)) {
            return;
        }
        // The API reads specs strictly: a field it does not know is refused, so the schema says so too.
        schema.setAdditionalProperties(false);
        for (RecordComponent component : record.getRecordComponents()) {
            Schema<?> property = schema.getProperties().get(component.getName());
            Description description = describedBy(component);
            if (property != null && description != null) {
                property.setDescription(description.value());
            }
            Class<?> held = component.getType();
            if (List.class.isAssignableFrom(held)
                    && component.getGenericType() instanceof java.lang.reflect.ParameterizedType list
                    && list.getActualTypeArguments()[0] instanceof Class<?> element) {
                held = element;
            }
            explain(held, schemas, seen);
        }
    }

    /** The field's own {@link Description}, else that of a composed constraint it wears ({@code Sgd.BatchSize}). */
    private static Description describedBy(RecordComponent component) {
        Description own = component.getAnnotation(Description.class);
        if (own != null) {
            return own;
        }
        // A constraint has no RECORD_COMPONENT target: Java leaves it on the accessor (and field), not the component.
        return Arrays.stream(component.getAccessor().getAnnotations())
                .map(a -> a.annotationType().getAnnotation(Description.class))
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private static void range(Schema<?> property, Annotation annotation) {
        if (annotation instanceof Min min) {
            property.setMinimum(BigDecimal.valueOf(min.value()));
        } else if (annotation instanceof Max max) {
            property.setMaximum(BigDecimal.valueOf(max.value()));
        } else if (annotation instanceof DecimalMin min) {
            if (min.inclusive()) {
                property.setMinimum(new BigDecimal(min.value()));
            } else {
                property.setExclusiveMinimumValue(new BigDecimal(min.value()));
            }
        } else if (annotation instanceof DecimalMax max) {
            if (max.inclusive()) {
                property.setMaximum(new BigDecimal(max.value()));
            } else {
                property.setExclusiveMaximumValue(new BigDecimal(max.value()));
            }
        }
    }
}
