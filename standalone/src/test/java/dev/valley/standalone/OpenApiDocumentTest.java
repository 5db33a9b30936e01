package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.erosb.jsonsKema.JsonParser;
import com.github.erosb.jsonsKema.SchemaLoader;
import com.github.erosb.jsonsKema.ValidationFailure;
import com.github.erosb.jsonsKema.Validator;
import dev.valley.embedded.Infrastructure;
import dev.valley.model.job.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document as a client generator reads it: each job type's spec its own schema, the submission a
 * {@code oneOf} with a discriminator on {@code type}. A JSON Schema validator that knows nothing of Valley (json-sKema)
 * checks, from the document alone, that every type's defaults are a valid submission and that a wrong field type or
 * a value out of range is not; the API agrees with it on the value out of range.
 */
class OpenApiDocumentTest {
    private static Valley valley;
    private static ApiClient api;
    private static JsonNode document;

    @BeforeAll
    static void start() throws Exception {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0"));
        api = new ApiClient(valley);
        document = ApiClient.JSON.readTree(api.get("/api/v1/openapi").body());
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    /** The document's component {@code name} as a schema of its own, its references resolved in the document. */
    private static Validator validator(String name) {
        return validator(ApiClient.JSON.createObjectNode().put("$ref", "#/components/schemas/" + name));
    }

    private static Validator validator(JsonNode schema) {
        ObjectNode root = ((ObjectNode) schema).deepCopy();
        root.set("components", document.get("components"));
        return Validator.forSchema(new SchemaLoader(new JsonParser(root.toString()).parse()).load());
    }

    private static ValidationFailure validate(Validator validator, JsonNode instance) {
        return validator.validate(new JsonParser(instance.toString()).parse());
    }

    /**
     * The dashboard's TypeScript types are generated from {@code web-client/openapi.json} when it builds, so that
     * copy must be this document (less its version and the server it was read from). After a change to the API,
     * {@code VALLEY_WRITE_OPENAPI=true} makes this test write the copy anew; commit it.
     */
    @Test
    void theDashboardsCopyIsThisDocument() throws Exception {
        ObjectNode live = (ObjectNode) document.deepCopy();
        live.remove("servers");
        ((ObjectNode) live.get("info")).remove("version");
        Path copy = Path.of("..", "web-client", "openapi.json");
        if ("true".equals(System.getenv("VALLEY_WRITE_OPENAPI"))) {
            Files.writeString(copy, ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        assertThat(ApiClient.JSON.readTree(Files.readString(copy)))
                .as("web-client/openapi.json is not the API's document: run this test with VALLEY_WRITE_OPENAPI=true")
                .isEqualTo(live);
    }

    @Test
    void everyReferenceResolvesInTheDocument() {
        List<String> refs = document.findValuesAsString("$ref");
        assertThat(refs).isNotEmpty().allSatisfy(ref -> assertThat(document.at(ref.substring(1)).isObject())
                .as("%s resolves", ref).isTrue());
    }

    @Test
    void theDocumentNamesValleyAndItsVersion() {
        assertThat(document.at("/info/title").asString()).isEqualTo("Valley");
        assertThat(document.at("/info/version").asString()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void aSubmissionIsOneOfTheJobTypesChosenByType() {
        JsonNode body = document.at("/paths/~1api~1v1~1jobs/post/requestBody/content/application~1json/schema");
        List<JobType> submittable = java.util.Arrays.stream(JobType.values()).filter(JobType::isSubmittable).toList();
        assertThat(body.get("oneOf")).hasSize(submittable.size());
        assertThat(body.at("/discriminator/propertyName").asString()).isEqualTo("type");
        // An inspection is made by its upload: its spec and result appear in a job's view, but no body submits one.
        assertThat(body.at("/discriminator/mapping/inspect").isMissingNode()).isTrue();
        assertThat(document.at("/components/schemas/InspectResult").isObject()).isTrue();
        for (JobType type : submittable) {
            String job = Character.toUpperCase(type.wireName().charAt(0)) + type.wireName().substring(1) + "Job";
            assertThat(body.at("/discriminator/mapping/" + type.wireName()).asString())
                    .isEqualTo("#/components/schemas/" + job);
            assertThat(document.at("/components/schemas/" + type.resultType().getSimpleName()).isObject())
                    .as("%s's result schema", type).isTrue();
        }
    }

    @Test
    void eachTypesDefaultsAreAValidSubmissionAndAWrongFieldTypeIsNot() throws Exception {
        for (JobType type : JobType.values()) {
            if (!type.isSubmittable()) {
                continue;
            }
            JsonNode defaults = ApiClient.JSON.readTree(api.get("/api/v1/jobs/defaults/" + type.wireName()).body());
            String name = Character.toUpperCase(type.wireName().charAt(0)) + type.wireName().substring(1);
            ObjectNode submission = ApiClient.JSON.createObjectNode();
            submission.put("type", type.wireName());
            submission.set("spec", defaults);
            assertThat(validate(validator(name + "Job"), submission)).as("%s defaults", type).isNull();
            assertThat(validate(validator(document.at(
                    "/paths/~1api~1v1~1jobs/post/requestBody/content/application~1json/schema")), submission))
                    .as("%s defaults, through the oneOf", type).isNull();

            // The API takes its own defaults back: every field it writes is one it reads (refs aside, which name no
            // job yet).
            JsonNode answer = ApiClient.JSON.readTree(api.post("/api/v1/jobs", submission.toString()).body());
            if (answer.has("id")) { // a job without refs was queued: it need not run
                api.post("/api/v1/jobs/" + answer.get("id").asString() + "/cancel", "");
            }
            assertThat(answer.path("errors").findValuesAsString("message")).as("%s defaults sent back", type)
                    .allSatisfy(m -> assertThat(m).doesNotContain("not a known field"));
            assertThat(answer.path("errors").findValuesAsString("field")).as("%s defaults sent back", type)
                    .allSatisfy(f -> assertThat(f)
                            .matches("spec\\.(endpoints\\[\\d]|networks\\[\\d]|modes\\[\\d]|network|start|plane\\.curve|reference|target)\\.job"));

            ObjectNode wrong = submission.deepCopy();
            ((ObjectNode) wrong.get("spec")).put(firstNumber(type), "ten");
            assertThat(validate(validator(name + "Job"), wrong)).as("%s with a string for %s", type,
                    firstNumber(type)).isNotNull();
        }
    }

    /** The first integer field of a type's spec schema, as the document lists its properties. */
    private static String firstNumber(JobType type) {
        JsonNode properties = document.at("/components/schemas/" + type.specType().getSimpleName() + "/properties");
        for (String field : properties.propertyNames()) {
            JsonNode t = properties.get(field).get("type");
            if (t != null && (t.isArray() ? t.toString().contains("\"integer\"") : t.asString().equals("integer"))) {
                return field;
            }
        }
        throw new AssertionError(type + " has no integer field in " + properties);
    }

    /** Every field a client may send, of every spec and of the records a spec holds, says what it means. */
    @Test
    void everyFieldIsDescribed() {
        for (Class<?> record : java.util.List.of(dev.valley.model.job.TrainSpec.class,
                dev.valley.model.job.CurveSpec.class, dev.valley.model.job.SwaSpec.class,
                dev.valley.model.job.FgeSpec.class, dev.valley.model.job.GridSpec.class,
                dev.valley.model.job.PlaneSpec.class, dev.valley.model.job.ModelSpec.class,
                dev.valley.model.job.ModelRef.class)) {
            JsonNode properties = document.at("/components/schemas/" + record.getSimpleName() + "/properties");
            for (var component : record.getRecordComponents()) {
                assertThat(properties.path(component.getName()).path("description").asString(""))
                        .as("%s.%s", record.getSimpleName(), component.getName()).isNotBlank();
            }
        }
        assertThat(document.at("/components/schemas/CurveSpec/properties/bends/description").asString())
                .contains("3: one free bend");
    }

    /**
     * Ranges come from the spec's constraints, composed ones too (Sgd.Rate on lr: above 0, at most 10), and
     * defaults from the defaults endpoint; the schema and the API refuse the same rate of 0.
     */
    @Test
    void rangesAndDefaultsAreTheSpecsOwn() throws Exception {
        JsonNode lr = document.at("/components/schemas/TrainSpec/properties/lr");
        assertThat(lr.get("exclusiveMinimum").asDouble()).isZero();
        assertThat(lr.get("maximum").asDouble()).isEqualTo(10);
        assertThat(lr.get("default").asDouble()).isEqualTo(0.05);
        JsonNode epochs = document.at("/components/schemas/TrainSpec/properties/epochs");
        assertThat(epochs.get("minimum").asInt()).isEqualTo(1);
        assertThat(epochs.get("maximum").asInt()).isEqualTo(1000);

        String zeroRate = """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"lr":0}}""";
        assertThat(validate(validator("TrainJob"), ApiClient.JSON.readTree(zeroRate))).isNotNull();
        var refused = api.post("/api/v1/jobs", zeroRate);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"field\":\"spec.lr\"");
    }
}
