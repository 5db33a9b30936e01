package dev.valley.api;

import dev.valley.embedded.Infrastructure;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points a Spring test context at this JVM's test servers (real ones where .ci/run names them). */
public final class ApiTestServers {
    private ApiTestServers() {
    }

    public static void register(DynamicPropertyRegistry registry) {
        Infrastructure.forTests().properties().forEach((key, value) -> registry.add(key, () -> value));
    }
}
