package dev.valley.worker.runner;

import ai.djl.Device;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The worker's metrics, served at {@code /actuator/prometheus} on its actuator port (8081 in a container); the
 * README lists each with its labels. Rates are gauges of the latest figure: the running training's samples/s (set
 * after each epoch), a grid's points/s (after each tile).
 */
@Component
class WorkerMetrics {
    private final MeterRegistry registry;
    private final AtomicLong samplesPerSecond = new AtomicLong(Double.doubleToLongBits(0));
    private final AtomicLong pointsPerSecond = new AtomicLong(Double.doubleToLongBits(0));

    WorkerMetrics(MeterRegistry registry, Device device) {
        this.registry = registry;
        Gauge.builder("valley.worker.training.samples.per.second", samplesPerSecond,
                a -> Double.longBitsToDouble(a.get())).description("the running training's last epoch, samples/s")
                .register(registry);
        Gauge.builder("valley.worker.grid.points.per.second", pointsPerSecond, a -> Double.longBitsToDouble(a.get()))
                .description("the last grid tile's points/s").register(registry);
        if (device.isGpu()) {
            Gauge.builder("valley.worker.device.memory.used", device,
                    d -> ai.djl.util.cuda.CudaUtils.getGpuMemory(d).getUsed()).baseUnit("bytes")
                    .description("memory in use on the CUDA device").register(registry);
        }
    }

    void samplesPerSecond(double rate) {
        samplesPerSecond.set(Double.doubleToLongBits(rate));
    }

    /** A tile computed: its time, and its points/s. */
    void tile(int points, Duration took) {
        Timer.builder("valley.worker.tile").description("time to compute a grid tile").publishPercentileHistogram()
                .register(registry).record(took);
        if (took.toNanos() > 0) {
            pointsPerSecond.set(Double.doubleToLongBits(points / (took.toNanos() / 1e9)));
        }
    }

    /** An attempt (or a tile) ended as {@code outcome} (the event it reported) after {@code took}. */
    void attempt(String type, String outcome, Duration took) {
        Timer.builder("valley.worker.attempt").description("time from taking a dispatch to its outcome")
                .tags("type", type, "outcome", outcome).publishPercentileHistogram().register(registry).record(took);
    }

    /** A checkpoint of {@code bytes} stored in {@code took}. */
    void checkpoint(long bytes, Duration took) {
        Timer.builder("valley.worker.checkpoint.upload").description("time to store a checkpoint").register(registry)
                .record(took);
        DistributionSummary.builder("valley.worker.checkpoint.size").baseUnit("bytes")
                .description("size of a stored checkpoint").register(registry).record(bytes);
    }
}
