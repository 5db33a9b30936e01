package dev.valley.api;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.data.web.config.EnableSpringDataWebSupport;
import org.springframework.scheduling.annotation.EnableScheduling;

// Who may call is decided by bearer tokens (auth/), not by Spring Boot's generated user and password.
@SpringBootApplication(exclude = org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@org.springframework.context.annotation.Import(dev.valley.storage.ObjectStorage.class)
@EnableScheduling
// A page is {"content": [...], "page": {"size", "number", "totalElements", "totalPages"}}: a stable API shape.
@EnableSpringDataWebSupport(pageSerializationMode = EnableSpringDataWebSupport.PageSerializationMode.VIA_DTO)
public class ApiApplication {

    /** Named so that the api-service and a worker can share one classpath (the standalone run) without their
     * configuration files colliding. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ApiApplication.class).properties("spring.config.name=api-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
