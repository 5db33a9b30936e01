package dev.valley.standalone;

import dev.valley.api.ApiApplication;
import dev.valley.embedded.Infrastructure;
import dev.valley.worker.WorkerApplication;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * `./valley up`: embedded PostgreSQL, AMQP broker and S3 server with their state under {@code $VALLEY_HOME}
 * (./.valley by default), then the api-service and one worker, all in this JVM.
 */
public final class Valley {
    /** The worker shares this classpath with the api-service but owns no database. */
    static final String WORKER_EXCLUDES = String.join(",",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration",
            // Spring Security is the api-service's; a worker serves no requests.
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration");

    private final ConfigurableApplicationContext api;
    private final ConfigurableApplicationContext worker;

    private Valley(ConfigurableApplicationContext api, ConfigurableApplicationContext worker) {
        this.api = api;
        this.worker = worker;
    }

    /** Starts the api-service, then a worker, against the servers {@code servers} describes. */
    public static Valley start(Map<String, Object> servers, Map<String, Object> apiOverrides, String... args) {
        ConfigurableApplicationContext api = startApi(servers, apiOverrides, args);
        Map<String, Object> workerProperties = new LinkedHashMap<>(servers);
        workerProperties.put("spring.autoconfigure.exclude", WORKER_EXCLUDES);
        try {
            ConfigurableApplicationContext worker = WorkerApplication.builder().run(arguments(workerProperties, args));
            return new Valley(api, worker);
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
    }

    /**
     * The api-service alone, as this machine's own Valley runs it: by default reachable from this machine only, and
     * therefore open (no tokens). Those two are defaults, below everything else: the environment
     * ({@code VALLEY_AUTH_MODE=tokens VALLEY_AUTH_TOKENS=…}), {@code args} and {@code apiOverrides} may say otherwise.
     */
    public static ConfigurableApplicationContext startApi(Map<String, Object> servers,
            Map<String, Object> apiOverrides, String... args) {
        Map<String, Object> apiProperties = new LinkedHashMap<>(servers);
        apiProperties.putAll(apiOverrides);
        return ApiApplication.builder()
                .properties(Map.of("server.address", "127.0.0.1", "valley.auth.mode", "open"))
                .run(arguments(apiProperties, args));
    }

    /**
     * As command-line arguments, so that they outrank each service's own configuration file; the user's own
     * arguments replace those of the same name (two of one name would be joined into one "a,b" value).
     */
    static String[] arguments(Map<String, Object> properties, String[] args) {
        Map<String, Object> merged = new LinkedHashMap<>(properties);
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 2) {
                merged.remove(arg.substring(2, equals));
                merged.put(arg.substring(2, equals), arg.substring(equals + 1));
            } else {
                rest.add(arg);
            }
        }
        java.util.List<String> all = new java.util.ArrayList<>();
        merged.forEach((k, v) -> all.add("--" + k + "=" + v));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    public ConfigurableApplicationContext worker() {
        return worker;
    }

    public ConfigurableApplicationContext api() {
        return api;
    }

    public void stop() {
        worker.close();
        api.close();
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("VALLEY_HOME", ".valley")).toAbsolutePath();
        String port = System.getenv().getOrDefault("VALLEY_PORT", "8080");
        Infrastructure servers = Infrastructure.embedded(home);
        Valley valley;
        try {
            valley = start(servers.properties(), Map.of("server.port", port), args);
        } catch (RuntimeException e) {
            servers.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            valley.stop();
            servers.close();
        }, "valley-stop"));
        System.out.printf("%nValley is up on http://localhost:%s  (API: /api/v1/jobs, OpenAPI: /api/v1/openapi)%n"
                + "State: %s%nServers: %s%n%n", port, home, servers.description());
    }
}
