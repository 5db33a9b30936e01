package dev.valley.worker;

import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param pool which dispatch queue this worker takes jobs from
 * @param device "auto" (a GPU when there is one), "cpu", "gpu" or "gpu:N"
 * @param id how events name this worker; host and process by default
 * @param checkpointEvery a training job stores its state every this many epochs (0: never), under its attempt as
 *     {@code checkpoint.safetensors}, overwriting the last
 * @param gridMemory the most a grid may keep on the device for its first-layer products (four tensors of the first
 *     layer's output over the train and test examples); a grid that needs more evaluates every point in full
 * @param evaluationMemory the most one evaluation batch may put in the network's widest intermediate tensor, which
 *     sets the batch's examples; unset: 16MB on a CPU (2,000 examples at most) and 1GB on a GPU (65,536 at most)
 * @param drain how long a stopping worker waits for the attempt it is running before it hands it back
 * @param pollInterval how often an idle worker asks its pool's queue for a dispatch
 * @param reportPatience how long a finished attempt keeps trying to deliver its end to a broker that is away
 * @param eventsQueue the queue (and routing key) its events go to: the api-service's {@code
 *     valley.dispatch.events-queue}
 */
@Validated
@ConfigurationProperties("valley.worker")
public record WorkerProperties(
        @NotBlank @DefaultValue("default") String pool,
        @NotBlank @DefaultValue("auto") String device,
        String id,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration progressInterval,
        @DefaultValue("/usr/share/datasets/fashion-mnist") Path fashionMnist,
        @DefaultValue("1") @jakarta.validation.constraints.Min(0) int checkpointEvery,
        @DefaultValue("2GB") org.springframework.util.unit.DataSize gridMemory,
        org.springframework.util.unit.DataSize evaluationMemory,
        @DefaultValue("30s") Duration drain,
        @DefaultValue("250ms") Duration pollInterval,
        @DefaultValue("5m") Duration reportPatience,
        @NotBlank @DefaultValue(dev.valley.model.queue.Queues.EVENTS_QUEUE) String eventsQueue) {

    public String workerId() {
        return id != null && !id.isBlank() ? id : hostName() + ":" + ProcessHandle.current().pid();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "worker";
        }
    }
}
