package dev.valley.deploy;

import static dev.valley.deploy.Chart.at;
import static dev.valley.deploy.Chart.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.marcnuri.helm.LintResult;
import dev.valley.deploy.Chart.Rendered;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * helm/valley rendered and linted by Helm itself (helm-java embeds Helm 3), for the default values and every file
 * under ci/. Expected values come from the values files and from what the services read (actuator's probe paths, the
 * worker's management port, the queue name valley.jobs.&lt;pool&gt;), not from the templates.
 */
class ChartTest {
    private static final String GPU = "nvidia.com/gpu";
    private static final Map<String, Object> GPU_TAINT =
            Map.of("key", GPU, "operator", "Exists", "effect", "NoSchedule");

    @ParameterizedTest
    @ValueSource(strings = {"", "two-gpu-pools.yaml", "cpu-only.yaml"})
    void lintsStrictlyWithNothingToSay(String valuesFile) throws Exception {
        LintResult lint = Chart.lint(valuesFile.isEmpty() ? null : Chart.ciValues(valuesFile));
        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void defaultValuesRunOneGpuWorkerThatDrainsWithinItsGracePeriod() {
        Rendered chart = Chart.render();
        assertThat(chart.objects().stream().map(o -> o.get("kind") + "/" + at(o, "metadata.name")))
                .containsExactlyInAnyOrder("ConfigMap/lab-valley", "Secret/lab-valley", "ServiceAccount/lab-valley",
                        "Service/lab-valley-api", "Deployment/lab-valley-api", "PodDisruptionBudget/lab-valley-api",
                        "Deployment/lab-valley-worker-gpu", "PodDisruptionBudget/lab-valley-worker-gpu");

        Map<String, Object> worker = chart.container("lab-valley-worker-gpu");
        assertThat((Map<String, Object>) at(worker, "resources.limits")).contains(entry(GPU, 1));
        assertThat((Map<String, Object>) at(worker, "resources.requests")).contains(entry(GPU, 1));
        assertThat((List<Object>) at(chart.podSpec("lab-valley-worker-gpu"), "tolerations")).contains(GPU_TAINT);
        assertThat((String) at(worker, "image")).isEqualTo("valley/gpu-worker:0.1.0");
        assertThat(env(worker)).contains(entry("VALLEY_WORKER_POOL", "default"), entry("VALLEY_WORKER_DEVICE", "gpu"),
                entry("VALLEY_WORKER_ID", "field:metadata.name"), entry("SPRING_MAIN_WEBAPPLICATIONTYPE", "servlet"));
        assertDrainsWithinGrace(chart, "lab-valley-worker-gpu", 30);

        assertThat(env(chart.container("lab-valley-api")))
                .contains(entry("VALLEY_DISPATCH_DEFAULTPOOL", "default"), entry("VALLEY_DISPATCH_POOLS", ""));
        assertThat((Object) at(chart.one("Deployment", "lab-valley-worker-gpu"), "spec.replicas")).isEqualTo(1);
        // Two api-services by default, and updates roll without going below them.
        Map<String, Object> api = chart.one("Deployment", "lab-valley-api");
        assertThat((Object) at(api, "spec.replicas")).isEqualTo(2);
        assertThat((String) at(api, "spec.strategy.type")).isEqualTo("RollingUpdate");
        assertThat((Object) at(api, "spec.strategy.rollingUpdate.maxUnavailable")).isEqualTo(0);
        assertThat((Object) at(chart.one("PodDisruptionBudget", "lab-valley-api"), "spec.maxUnavailable"))
                .isEqualTo(1);
        assertThat((Object) at(Chart.render(Chart.writeValues("""
                api:
                  replicas: 5
                """)).one("Deployment", "lab-valley-api"), "spec.replicas")).isEqualTo(5);
    }

    @Test
    void probesAskActuatorsHealthGroupsOnThePortsTheServicesListenOn() {
        Rendered chart = Chart.render(Chart.ciValues("two-gpu-pools.yaml"));
        // api-service serves on 8080; a worker's management server (SPRING_MAIN_WEBAPPLICATIONTYPE=servlet) on 8081.
        Map<String, Integer> ports = Map.of("lab-valley-api", 8080, "lab-valley-worker-a100", 8081,
                "lab-valley-worker-h100-landscape", 8081);
        ports.forEach((deployment, port) -> {
            Map<String, Object> container = chart.container(deployment);
            List<Map<String, Object>> declared = at(container, "ports");
            Map<String, Object> named = declared.get(0);
            assertThat(named.get("containerPort")).isEqualTo(port);
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                String group = probe.equals("readinessProbe") ? "readiness" : "liveness";
                assertThat((String) at(container, probe + ".httpGet.path")).as("%s %s", deployment, probe)
                        .isEqualTo("/actuator/health/" + group);
                assertThat((Object) at(container, probe + ".httpGet.port")).isEqualTo(named.get("name"));
            }
            // Liveness is never the database's or the broker's health: Spring Boot's liveness group holds only the
            // application's own state, and no probe here points anywhere else.
            assertThat((Integer) at(container, "livenessProbe.failureThreshold")).isGreaterThan(1);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoGpuPoolsRouteTheirOwnQueuesAndTheBusyOneScalesOnWhatItOwes() {
        Rendered chart = Chart.render(Chart.ciValues("two-gpu-pools.yaml"));

        // Pool routing: each worker takes its own pool's queue; the api accepts h100 besides its default a100.
        assertThat(env(chart.container("lab-valley-worker-a100"))).contains(entry("VALLEY_WORKER_POOL", "a100"));
        assertThat(env(chart.container("lab-valley-worker-h100-landscape"))).contains(entry("VALLEY_WORKER_POOL", "h100"));
        assertThat(env(chart.container("lab-valley-api")))
                .contains(entry("VALLEY_DISPATCH_DEFAULTPOOL", "a100"), entry("VALLEY_DISPATCH_POOLS", "h100"));

        for (String pool : List.of("a100", "h100")) {
            Map<String, Object> worker = chart.container("lab-valley-worker-" + (pool.equals("h100") ? "h100-landscape" : pool));
            assertThat((Map<String, Object>) at(worker, "resources.limits")).contains(entry(GPU, 1));
            assertThat((List<Object>) at(chart.podSpec("lab-valley-worker-" + (pool.equals("h100") ? "h100-landscape" : pool)), "tolerations"))
                    .contains(GPU_TAINT);
        }
        Map<String, Object> h100 = chart.podSpec("lab-valley-worker-h100-landscape");
        assertThat((List<Object>) h100.get("tolerations")).containsExactlyInAnyOrder(GPU_TAINT,
                Map.of("key", "team", "operator", "Equal", "value", "landscape", "effect", "NoSchedule"));
        assertThat((Map<String, Object>) h100.get("nodeSelector"))
                .isEqualTo(Map.of("node.kubernetes.io/instance-type", "p5.48xlarge"));
        assertThat(h100.get("priorityClassName")).isEqualTo("research-high");
        assertThat((Object) at(h100, "affinity.podAntiAffinity")).isNotNull();
        assertThat((Map<String, Object>) at(chart.container("lab-valley-worker-h100-landscape"), "resources.requests"))
                .isEqualTo(Map.of("cpu", "8", "memory", "48Gi", GPU, 1));
        assertDrainsWithinGrace(chart, "lab-valley-worker-h100-landscape", 600);
        assertDrainsWithinGrace(chart, "lab-valley-worker-a100", 30);

        // The api reads its tokens from the Secret, as the comma-separated list Spring binds.
        assertThat(env(chart.container("lab-valley-api"))).contains(entry("VALLEY_AUTH_TOKENS",
                "secret:lab-valley/auth-tokens"));
        // The tokens, with KEDA's own granted read.
        assertThat((String) at(chart.one("Secret", "lab-valley"), "stringData.auth-tokens"))
                .isEqualTo("admin:0f6c8e2a9b7d4c1e8f3a5b6c7d8e9f00,read:dashboard-9b7d4c1e8f3a5b6c,"
                        + "read:keda-5b6c7d8e9f000f6c");

        // KEDA owns the h100 replicas (the Deployment names none), scaling on what the pool owes (queued and running
        // jobs and tiles) as the api-service counts it: a running job keeps its worker, which a queue's length would
        // not, a worker acknowledging its dispatch when it starts.
        assertThat((Object) at(chart.one("Deployment", "lab-valley-worker-h100-landscape"), "spec.replicas")).isNull();
        assertThat((Object) at(chart.one("Deployment", "lab-valley-worker-a100"), "spec.replicas")).isEqualTo(3);
        assertThat(chart.all("ScaledObject")).hasSize(1);
        Map<String, Object> scaled = chart.one("ScaledObject", "lab-valley-worker-h100-landscape");
        assertThat((String) at(scaled, "spec.scaleTargetRef.name")).isEqualTo("lab-valley-worker-h100-landscape");
        assertThat((Object) at(scaled, "spec.minReplicaCount")).isEqualTo(0);
        assertThat((Object) at(scaled, "spec.maxReplicaCount")).isEqualTo(8);
        List<Map<String, Object>> triggers = at(scaled, "spec.triggers");
        assertThat(triggers).hasSize(1);
        Map<String, Object> trigger = triggers.get(0);
        assertThat(trigger.get("type")).isEqualTo("metrics-api");
        assertThat((Map<String, Object>) trigger.get("metadata")).containsOnly(
                entry("url", "http://lab-valley-api.research.svc:8080/api/v1/pools/h100"),
                entry("valueLocation", "owed"), entry("targetValue", "1"), entry("authMode", "bearer"));

        // The trigger's credentials: the token from the Secret, the one the api grants read.
        String auth = at(trigger, "authenticationRef.name");
        List<Map<String, Object>> refs = at(chart.one("TriggerAuthentication", auth), "spec.secretTargetRef");
        assertThat(refs).singleElement().satisfies(ref -> {
            assertThat(ref.get("parameter")).isEqualTo("token");
            Map<String, Object> data = at(chart.one("Secret", (String) ref.get("name")), "stringData");
            assertThat(data.get(ref.get("key"))).isEqualTo("keda-5b6c7d8e9f000f6c");
        });
        assertThat(chart.all("Secret").stream().flatMap(x -> ((Map<String, Object>) x.get("stringData")).keySet()
                .stream())).doesNotContain("keda-rabbitmq-url");
    }

    @Test
    @SuppressWarnings("unchecked")
    void cpuPoolsAskForNoGpuAndExistingSecretsAreReferencedNotRendered() {
        Rendered chart = Chart.render(Chart.ciValues("cpu-only.yaml"));
        Map<String, Object> worker = chart.container("lab-valley-worker-cpu");
        assertThat((Map<String, Object>) at(worker, "resources.limits")).doesNotContainKey(GPU);
        assertThat((Map<String, Object>) at(worker, "resources.requests")).doesNotContainKey(GPU);
        assertThat((Object) at(chart.podSpec("lab-valley-worker-cpu"), "tolerations")).isNull();
        assertThat((String) at(worker, "image")).isEqualTo("valley/cpu-worker:0.1.0");
        assertThat(env(worker)).contains(entry("VALLEY_WORKER_DEVICE", "cpu"));
        assertThat(chart.all("PodDisruptionBudget")).extracting(o -> at(o, "metadata.name"))
                .containsExactly("lab-valley-api");

        assertThat(chart.all("Secret")).isEmpty();
        Set<String> secretRefs = chart.all("Deployment").stream()
                .flatMap(d -> env(Chart.<List<Map<String, Object>>>at(d, "spec.template.spec.containers").get(0))
                        .values().stream())
                .filter(v -> v.startsWith("secret:")).collect(Collectors.toSet());
        assertThat(secretRefs).containsExactlyInAnyOrder("secret:valley-credentials/database-password",
                "secret:valley-credentials/broker-password", "secret:valley-credentials/storage-access-key",
                "secret:valley-credentials/storage-secret-key", "secret:valley-credentials/auth-tokens");

        Map<String, Object> ingress = chart.one("Ingress", "lab-valley-api");
        assertThat((String) at(ingress, "spec.ingressClassName")).isEqualTo("nginx");
        List<Map<String, Object>> rules = at(ingress, "spec.rules");
        assertThat(rules.get(0).get("host")).isEqualTo("valley.lab.example.org");
        List<Map<String, Object>> tls = at(ingress, "spec.tls");
        assertThat(tls.get(0).get("secretName")).isEqualTo("valley-tls");
    }

    @Test
    void everySecretTheDefaultRenderReferencesHoldsTheKey() {
        Rendered chart = Chart.render();
        Map<String, Object> data = at(chart.one("Secret", "lab-valley"), "stringData");
        chart.all("Deployment").forEach(d -> env(Chart.<List<Map<String, Object>>>at(d,
                "spec.template.spec.containers").get(0)).values().stream().filter(v -> v.startsWith("secret:"))
                .forEach(ref -> assertThat(data).containsKey(ref.substring(ref.indexOf('/') + 1))));
        // Every pod reads the servers from the ConfigMap it names.
        chart.all("Deployment").forEach(d -> assertThat(Chart.<List<Map<String, Object>>>at(d,
                "spec.template.spec.containers").get(0).toString()).contains("configMapRef={name=lab-valley}"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void metricsObjectsAreOffByDefaultAndScrapeWhatTheServicesServe() throws Exception {
        Rendered plain = Chart.render();
        assertThat(plain.all("ServiceMonitor")).isEmpty();
        assertThat(plain.all("PodMonitor")).isEmpty();
        assertThat(plain.all("ConfigMap")).extracting(o -> at(o, "metadata.name")).containsExactly("lab-valley");

        Rendered chart = Chart.render(Chart.writeValues("""
                metrics:
                  serviceMonitor: {enabled: true, labels: {release: prom}}
                  token: metrics-0123456789abcdef
                  grafanaDashboard: {enabled: true}
                workerPools:
                  - {name: a100, pool: default}
                  - {name: h100, pool: h100}
                """));
        Map<String, Object> api = chart.one("ServiceMonitor", "lab-valley-api");
        assertThat((Map<String, Object>) at(api, "metadata.labels")).contains(entry("release", "prom"));
        assertThat((Map<String, Object>) at(api, "spec.selector.matchLabels"))
                .contains(entry("app.kubernetes.io/component", "api"));
        Map<String, Object> endpoint = Chart.<List<Map<String, Object>>>at(api, "spec.endpoints").get(0);
        assertThat(endpoint).contains(entry("port", "http"), entry("path", "/actuator/prometheus"));
        assertThat((Map<String, Object>) at(endpoint, "authorization.credentials"))
                .isEqualTo(Map.of("name", "lab-valley", "key", "metrics-token"));
        Map<String, Object> secret = at(chart.one("Secret", "lab-valley"), "stringData");
        assertThat(secret).containsEntry("metrics-token", "metrics-0123456789abcdef");
        assertThat((String) secret.get("auth-tokens")).contains("read:metrics-0123456789abcdef");

        Map<String, Object> workers = chart.one("PodMonitor", "lab-valley-workers");
        assertThat(Chart.<List<Map<String, Object>>>at(workers, "spec.selector.matchExpressions").get(0).get("values"))
                .isEqualTo(List.of("worker-a100", "worker-h100"));
        assertThat(Chart.<List<Map<String, Object>>>at(workers, "spec.podMetricsEndpoints").get(0))
                .contains(entry("port", "management"), entry("path", "/actuator/prometheus"));

        Map<String, Object> dashboard = chart.one("ConfigMap", "lab-valley-dashboard");
        assertThat((Map<String, Object>) at(dashboard, "metadata.labels")).contains(entry("grafana_dashboard", "1"));
        String json = (String) Chart.<Map<String, Object>>at(dashboard, "data").get("valley.json");
        Map<String, Object> tree = new org.yaml.snakeyaml.Yaml().load(json); // JSON is YAML
        assertThat((List<Object>) tree.get("panels")).hasSize(10);
        for (String metric : List.of("valley_jobs", "valley_submissions_total", "valley_dispatch_latency_seconds_bucket",
                "valley_job_duration_seconds_bucket", "valley_outbox_unsent", "valley_outbox_held", "valley_leases_expired_total",
                "valley_worker_training_samples_per_second", "valley_worker_grid_points_per_second",
                "valley_worker_checkpoint_upload_seconds_bucket", "valley_worker_device_memory_used_bytes")) {
            assertThat(json).as(metric).contains(metric);
        }
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                metrics:
                  serviceMonitor: {enabled: true}
                """))).hasMessageContaining("metrics.token is required");
    }

    @Test
    void wrongValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                workerPools:
                  - name: Big GPUs
                    pool: default
                """))).hasMessageContaining("/workerPools/0/name");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                workerPools:
                  - name: gpu
                    pool: default
                    gpus: 4
                """))).hasMessageContaining("/workerPools/0/gpus");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                workerPools:
                  - name: gpu
                    pool: default
                    drainSecs: 60
                """))).hasMessageContaining("drainSecs");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                auth:
                  tokens: [owner:0123456789abcdef0123]
                """))).hasMessageContaining("/auth/tokens/0");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                api:
                  replicas: -1
                """))).hasMessageContaining("/api/replicas");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                workerPools:
                  - {name: gpu, pool: default}
                  - {name: gpu, pool: h100}
                """))).hasMessageContaining("workerPools[1].name: \"gpu\" is already the name of workerPools[0]");
        // KEDA reads the pools' figures with a token, which a pool that scales with it needs.
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                workerPools:
                  - {name: gpu, pool: default, keda: {enabled: true}}
                """))).hasMessageContaining("auth.kedaToken is required");
        assertThatThrownBy(() -> Chart.render(Chart.writeValues("""
                auth:
                  kedaToken: short
                """))).hasMessageContaining("/auth/kedaToken");
    }

    /** The worker's drain (VALLEY_WORKER_DRAIN) ends, with time to spare for the JVM, before the kubelet kills. */
    private static void assertDrainsWithinGrace(Rendered chart, String deployment, int drainSeconds) {
        assertThat(env(chart.container(deployment))).contains(entry("VALLEY_WORKER_DRAIN", drainSeconds + "s"));
        Object grace = at(chart.podSpec(deployment), "terminationGracePeriodSeconds");
        assertThat((Integer) grace).isBetween(drainSeconds + 10, drainSeconds + 60);
    }
}
