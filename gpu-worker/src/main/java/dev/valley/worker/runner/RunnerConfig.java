package dev.valley.worker.runner;

import ai.djl.Device;
import dev.valley.worker.WorkerProperties;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.train.EvaluationBatch;
import dev.valley.worker.storage.ObjectStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RunnerConfig {
    @Bean
    Device device(WorkerProperties worker) {
        Device device = Devices.select(worker.device());
        EvaluationBatch.configure(worker.evaluationMemory() == null ? 0 : worker.evaluationMemory().toBytes());
        // A broken engine cannot be mended from here; its operators must hear of it before their jobs do.
        String wrong = dev.valley.worker.science.EngineCheck.wrong(device);
        if (wrong != null) {
            org.slf4j.LoggerFactory.getLogger(RunnerConfig.class).warn("{}", wrong);
        }
        return device;
    }

    @Bean(destroyMethod = "close")
    ComputeThread computeThread() {
        return new ComputeThread();
    }

    @Bean
    DatasetCatalog datasetCatalog(WorkerProperties worker, ObjectStore store) {
        return new DatasetCatalog(worker.fashionMnist(), store);
    }
}
