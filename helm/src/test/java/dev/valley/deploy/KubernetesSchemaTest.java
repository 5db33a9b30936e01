package dev.valley.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every object the chart renders, read with Kubernetes' own model (fabric8's kubernetes-model, generated from the
 * API server's OpenAPI schemas, and its Prometheus operator model for the ServiceMonitor and PodMonitor), strictly:
 * an unknown field fails (the models' catch-all {@code additionalProperties} is switched off), and the object written
 * back must equal what was rendered, so nothing was dropped or coerced (a {@code "2"} for an integer would come
 * back {@code 2}). Helm lint passes both kinds of mistake; the API server refuses them. Empty maps and lists are
 * left out on both sides before comparing, since the model does not keep them.
 *
 * <p>KEDA's ScaledObject and TriggerAuthentication are not read here: KEDA publishes its CRD schemas only on GitHub
 * and in its Helm chart, which these machines cannot reach, and no registry they reach carries a model of them.
 * ChartTest asserts their fields one by one instead.
 */
class KubernetesSchemaTest {
    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class);
    private static final Set<String> UNMODELLED = Set.of("keda.sh/v1alpha1/ScaledObject",
            "keda.sh/v1alpha1/TriggerAuthentication");

    /** Resource quantities (ResourceRequirements' limits and requests), which Kubernetes reads as number or text. */
    private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(
            "\\.resources\\.(limits|requests)\\.[^.\\[]+(\\.[^.\\[]+)*$");

    /** Jackson with no any-setter: a field the model does not know is an error, not an entry in a catch-all map. */
    private static final JsonMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    @Test
    void everyRenderedObjectReadsStrictlyAndWholeWithKubernetesModel() {
        Path metrics = Chart.writeValues("""
                metrics:
                  serviceMonitor: {enabled: true, labels: {release: prom}}
                  token: metrics-0123456789abcdef
                  grafanaDashboard: {enabled: true}
                """);
        Set<String> kinds = new TreeSet<>();
        int read = 0;
        for (Path[] values : List.of(new Path[0], new Path[] {Chart.ciValues("cpu-only.yaml")},
                new Path[] {Chart.ciValues("two-gpu-pools.yaml")}, new Path[] {metrics})) {
            for (Map<String, Object> object : Chart.render(values).objects()) {
                String kind = object.get("apiVersion") + "/" + object.get("kind");
                kinds.add(kind);
                if (UNMODELLED.contains(kind)) {
                    continue;
                }
                assertThat(MODELS).as("a Kubernetes model for " + kind).containsKey(kind);
                String where = kind + " " + Chart.at(object, "metadata.name") + " (values " + List.of(values) + ")";
                assertThat(loss(object, MODELS.get(kind))).as(where).isEmpty();
                read++;
            }
        }
        assertThat(kinds).containsAll(MODELS.keySet()).containsAll(UNMODELLED);
        System.out.printf("Kubernetes schemas: %d rendered objects of %d kinds read strictly and whole (%s); KEDA's"
                + " %d kinds not (no schema reachable)%n", read, MODELS.size(), String.join(", ", MODELS.keySet()),
                UNMODELLED.size());
    }

    @Test
    void theCheckCatchesAnUnknownFieldAMisplacedOneAndACoercedValue() {
        Map<String, Object> deployment = Chart.render().one("Deployment", "lab-valley-api");
        assertThat(loss(deployment, Deployment.class)).isEmpty();

        Map<String, Object> unknown = copy(deployment);
        Map<String, Object> spec = Chart.at(unknown, "spec");
        spec.put("replica", 2); // a typo Helm lint lets through
        assertThatThrownBy(() -> loss(unknown, Deployment.class)).hasMessageContaining("replica");

        Map<String, Object> misplaced = copy(deployment);
        Map<String, Object> container = Chart.<List<Map<String, Object>>>at(misplaced,
                "spec.template.spec.containers").get(0);
        container.put("nodeSelector", Map.of("gpu", "a100")); // belongs to the pod, not the container
        assertThatThrownBy(() -> loss(misplaced, Deployment.class)).hasMessageContaining("nodeSelector");

        Map<String, Object> coerced = copy(deployment);
        Chart.<Map<String, Object>>at(coerced, "spec").put("replicas", "2");
        assertThat(loss(coerced, Deployment.class)).singleElement().asString().contains("spec.replicas");
    }

    /** Where the object written back by the model differs from the rendered one (empty when it reads whole). */
    private static List<String> loss(Map<String, Object> object, Class<?> model) {
        JsonNode rendered = prune(STRICT.valueToTree(object));
        JsonNode back = prune(STRICT.valueToTree(STRICT.treeToValue(rendered, model)));
        List<String> differences = new ArrayList<>();
        diff("", rendered, back, differences);
        return differences;
    }

    private static void diff(String path, JsonNode rendered, JsonNode back, List<String> out) {
        if (rendered.isObject() && back.isObject()) {
            Set<String> names = new TreeSet<>(rendered.propertyNames());
            names.addAll(back.propertyNames());
            for (String name : names) {
                String at = path.isEmpty() ? name : path + "." + name;
                if (!rendered.has(name) || !back.has(name)) {
                    out.add(at + ": " + (rendered.has(name) ? "rendered, dropped by the model" : "added by the model"));
                } else {
                    diff(at, rendered.get(name), back.get(name), out);
                }
            }
        } else if (rendered.isArray() && back.isArray() && rendered.size() == back.size()) {
            for (int i = 0; i < rendered.size(); i++) {
                diff(path + "[" + i + "]", rendered.get(i), back.get(i), out);
            }
        } else if (rendered.isNumber() && back.isNumber()) { // an int field and a long one hold the same 10001
            if (rendered.decimalValue().compareTo(back.decimalValue()) != 0) {
                out.add(path + ": rendered " + rendered + ", read as " + back);
            }
        } else if (QUANTITY.matcher(path).find() && rendered.isNumber() && back.isString()
                && back.asString().equals(rendered.asString())) {
            return; // a resource quantity: the API server takes 1 and "1" alike, and the model writes it as text
        } else if (!rendered.equals(back)) {
            out.add(path + ": rendered " + rendered + ", read as " + back);
        }
    }

    /** Without nulls, empty maps and empty lists, at any depth. */
    private static JsonNode prune(JsonNode node) {
        if (node.isObject()) {
            ObjectNode pruned = STRICT.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode value = prune(entry.getValue());
                if (!value.isNull() && !(value.isContainer() && value.isEmpty())) {
                    pruned.set(entry.getKey(), value);
                }
            }
            return pruned;
        }
        if (node.isArray()) {
            ArrayNode pruned = STRICT.createArrayNode();
            node.forEach(element -> pruned.add(prune(element)));
            return pruned;
        }
        return node;
    }

    private static Map<String, Object> copy(Map<String, Object> object) {
        return STRICT.convertValue(object, LinkedHashMap.class);
    }
}
