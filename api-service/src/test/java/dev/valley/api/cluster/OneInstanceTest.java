package dev.valley.api.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A duty runs on one instance at a time: while one holder runs it, another (a second replica's scheduler, here a
 * second thread with its own connection) skips its turn; once the first is done, the next turn runs. Against a real
 * PostgreSQL, whose advisory locks these are.
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.dispatch.lease-check=1h", "valley.auth.tokens=admin:one-instance-test-token"})
class OneInstanceTest {

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @Autowired
    OneInstance oneInstance;

    @Test
    void aSecondHolderSkipsWhileTheFirstRunsAndRunsAfter() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> oneInstance.runAlone("test-duty", () -> {
            running.countDown();
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(running.await(1, TimeUnit.MINUTES)).isTrue();
        boolean[] ran = {false};
        assertThat(CompletableFuture.supplyAsync(() -> oneInstance.runAlone("test-duty", () -> ran[0] = true))
                .get(1, TimeUnit.MINUTES)).isFalse();
        assertThat(ran[0]).isFalse();
        // Another duty's lock is another lock.
        assertThat(oneInstance.runAlone("other-duty", () -> { })).isTrue();
        release.countDown();
        assertThat(first.get(1, TimeUnit.MINUTES)).isTrue();
        assertThat(oneInstance.runAlone("test-duty", () -> ran[0] = true)).isTrue();
        assertThat(ran[0]).isTrue();
    }
}
