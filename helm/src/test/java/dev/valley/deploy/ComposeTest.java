package dev.valley.deploy;

import static dev.valley.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml: validated by Docker Compose itself where it is installed (.ci/run installs Debian's
 * docker-compose; under CI=true its absence fails the test), and read here for what compose cannot check: that the
 * services find each other with the credentials the others expect.
 */
class ComposeTest {
    private static final Path FILE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{(\\w+):-([^}]*)}");

    @Test
    void dockerComposeValidatesTheFileWithAndWithoutTheCpuProfile() throws Exception {
        boolean installed = onPath("docker-compose");
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed).as("docker-compose on PATH (.ci/run installs it)").isTrue();
        }
        assumeThat(installed).as("docker-compose is not installed here; the file is still read below").isTrue();
        for (List<String> profile : List.of(List.<String>of(), List.of("--profile", "cpu"))) {
            List<String> command = new ArrayList<>(List.of("docker-compose", "-f", FILE.toString()));
            command.addAll(profile);
            command.addAll(List.of("config", "--services"));
            String out = Host.succeed(Duration.ofSeconds(60), Map.of(), command);
            List<String> expected = new ArrayList<>(List.of("postgres", "rabbitmq", "s3", "api",
                    "gpu-worker"));
            if (!profile.isEmpty()) {
                expected.add("cpu-worker");
            }
            // Compose 1.29 lists profiled services without their profile too; v2 does not.
            assertThat(out.lines().toList()).containsAll(expected).isSubsetOf(List.of("postgres", "rabbitmq", "s3",
                    "api", "gpu-worker", "cpu-worker"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceIsHealthCheckedAndStartsAfterWhatItNeedsIsHealthy() throws IOException {
        Map<String, Object> services = compose().get("services") instanceof Map<?, ?> m ? Chart.cast(m) : Map.of();
        assertThat(services).containsOnlyKeys("postgres", "rabbitmq", "s3", "api", "gpu-worker", "cpu-worker");
        services.forEach((name, service) ->
                assertThat((Object) at(Chart.cast(service), "healthcheck.test")).as(name).isNotNull());

        Map<String, Object> apiNeeds = at(Chart.cast(services.get("api")), "depends_on");
        assertThat(apiNeeds).containsOnlyKeys("postgres", "rabbitmq", "s3");
        for (String worker : List.of("gpu-worker", "cpu-worker")) {
            Map<String, Object> needs = at(Chart.cast(services.get(worker)), "depends_on");
            assertThat(needs).containsOnlyKeys("postgres", "rabbitmq", "s3", "api");
            needs.values().forEach(n -> assertThat(((Map<String, Object>) n).get("condition"))
                    .isEqualTo("service_healthy"));
        }
        apiNeeds.values().forEach(n -> assertThat(((Map<String, Object>) n).get("condition"))
                .isEqualTo("service_healthy"));

        // The GPU worker reserves an NVIDIA GPU; the CPU worker runs only with --profile cpu.
        List<Map<String, Object>> devices = at(Chart.cast(services.get("gpu-worker")),
                "deploy.resources.reservations.devices");
        assertThat(devices).singleElement().satisfies(d -> {
            assertThat(d.get("driver")).isEqualTo("nvidia");
            assertThat((List<String>) d.get("capabilities")).contains("gpu");
        });
        assertThat((List<String>) at(Chart.cast(services.get("cpu-worker")), "profiles")).containsExactly("cpu");
        assertThat((String) at(Chart.cast(services.get("rabbitmq")), "image")).contains("management");
    }

    @Test
    void stateLivesOnNamedVolumesAndWorkersOutlastTheirDrain() throws IOException {
        Map<String, Object> file = compose();
        Map<String, Object> volumes = Chart.cast(file.get("volumes"));
        assertThat(volumes).containsOnlyKeys("postgres", "rabbitmq", "objects");
        Map<String, Object> services = Chart.cast(file.get("services"));
        for (String stateful : List.of("postgres", "rabbitmq", "s3")) {
            List<String> mounts = at(Chart.cast(services.get(stateful)), "volumes");
            assertThat(mounts).as(stateful).singleElement()
                    .satisfies(m -> assertThat(volumes).containsKey(m.substring(0, m.indexOf(':'))));
        }
        for (String worker : List.of("gpu-worker", "cpu-worker")) {
            Map<String, Object> service = Chart.cast(services.get(worker));
            int drain = seconds(resolve(String.valueOf((Object) at(service, "environment.VALLEY_WORKER_DRAIN"))));
            int grace = seconds((String) service.get("stop_grace_period"));
            assertThat(grace).as(worker).isGreaterThanOrEqualTo(drain + 10);
        }
    }

    @Test
    void theServicesReachEachOtherWithTheCredentialsTheServersWereGiven() throws IOException {
        Map<String, Object> services = Chart.cast(compose().get("services"));
        Map<String, Object> postgres = at(Chart.cast(services.get("postgres")), "environment");
        Map<String, Object> rabbitmq = at(Chart.cast(services.get("rabbitmq")), "environment");
        Map<String, Object> s3 = at(Chart.cast(services.get("s3")), "environment");
        for (String client : List.of("api", "gpu-worker", "cpu-worker")) {
            Map<String, Object> env = at(Chart.cast(services.get(client)), "environment");
            if (client.equals("api")) {
                assertThat(value(env, "VALLEY_AUTH_TOKENS")).matches("(read|submit|admin):[^,\\s]{16,}");
                URI jdbc = URI.create(value(env, "SPRING_DATASOURCE_URL").substring("jdbc:".length()));
                assertThat(jdbc.getHost()).isEqualTo("postgres");
                assertThat(jdbc.getPath()).isEqualTo("/" + value(postgres, "POSTGRES_DB"));
                assertThat(value(env, "SPRING_DATASOURCE_USERNAME")).isEqualTo(value(postgres, "POSTGRES_USER"));
                assertThat(value(env, "SPRING_DATASOURCE_PASSWORD"))
                        .isEqualTo(value(postgres, "POSTGRES_PASSWORD"));
            }
            assertThat(value(env, "SPRING_RABBITMQ_HOST")).isEqualTo("rabbitmq");
            assertThat(value(env, "SPRING_RABBITMQ_USERNAME")).isEqualTo(value(rabbitmq, "RABBITMQ_DEFAULT_USER"));
            assertThat(value(env, "SPRING_RABBITMQ_PASSWORD")).isEqualTo(value(rabbitmq, "RABBITMQ_DEFAULT_PASS"));
            // S3Proxy listens on port 80 in its image; the identity and credential are the access and secret key.
            URI storage = URI.create(value(env, "VALLEY_STORAGE_ENDPOINT"));
            assertThat(storage.getHost()).isEqualTo("s3");
            assertThat(storage.getPort()).isEqualTo(80);
            assertThat(value(env, "VALLEY_STORAGE_ACCESSKEY")).isEqualTo(value(s3, "S3PROXY_IDENTITY"));
            assertThat(value(env, "VALLEY_STORAGE_SECRETKEY")).isEqualTo(value(s3, "S3PROXY_CREDENTIAL"));
        }
    }

    private static Map<String, Object> compose() throws IOException {
        return Chart.cast(new Yaml().load(Files.readString(FILE)));
    }

    private static String value(Map<String, Object> env, String name) {
        assertThat(env).containsKey(name);
        return resolve(String.valueOf(env.get(name)));
    }

    /** Compose's {@code ${NAME:-default}} with NAME unset: the default. */
    private static String resolve(String value) {
        Matcher m = DEFAULTED.matcher(value);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(2)));
    }

    /** Compose durations as this file writes them: 45s, 2m. */
    private static int seconds(String duration) {
        int n = Integer.parseInt(duration.substring(0, duration.length() - 1));
        return duration.endsWith("m") ? n * 60 : n;
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
