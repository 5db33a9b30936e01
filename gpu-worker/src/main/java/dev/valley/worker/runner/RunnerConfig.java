package dev.valley.worker.runner;

import ai.djl.Device;
import dev.valley.worker.WorkerProperties;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.data.DatasetCatalog;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RunnerConfig {
    @Bean
    Device device(WorkerProperties worker) {
        return Devices.select(worker.device());
    }

    @Bean(destroyMethod = "close")
    ComputeThread computeThread() {
        return new ComputeThread();
    }

    /**
     * On shutdown (SIGTERM) the listener stops taking dispatches and waits up to {@code valley.worker.drain} for the
     * one it is running; a dispatch still running then goes back to the queue unacknowledged. Deployments give the
     * process this long plus the JVM's own shutdown before they kill it.
     */
    @Bean
    ContainerCustomizer<SimpleMessageListenerContainer> drainOnShutdown(WorkerProperties worker) {
        return container -> container.setShutdownTimeout(worker.drain().toMillis());
    }

    @Bean
    DatasetCatalog datasetCatalog(WorkerProperties worker) {
        return new DatasetCatalog(worker.fashionMnist());
    }
}
