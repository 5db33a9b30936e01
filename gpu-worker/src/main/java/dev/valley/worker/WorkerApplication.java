package dev.valley.worker;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
@org.springframework.context.annotation.Import(dev.valley.storage.ObjectStorage.class)
public class WorkerApplication {

    /** No web server; configuration from gpu-worker.yml, so that it can share a classpath with the api-service. */
    public static SpringApplicationBuilder builder() {
        // DJL must not reach for the network at engine start (DESIGN.md, "DJL in practice").
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.config.name=gpu-worker");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
