package dev.valley.worker.science;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread that runs libtorch work in a process. libgomp keeps an OpenMP team per thread that has run a
 * parallel region; once a second team exists it counts more threads than cores and switches to a throttled spin,
 * so every small parallel region of a training step pays for waking sleeping threads. Measured on 2 cores: a thread
 * training after another thread had trained ran at 17k samples/s instead of 28k; OMP_WAIT_POLICY=ACTIVE made it
 * 12k (the idle team spins for ever), PASSIVE 16k.
 */
public final class ComputeThread implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "valley-compute");
        thread.setDaemon(true);
        return thread;
    });

    /** Runs {@code work} on the compute thread and waits; its exception is rethrown as it was. */
    public <T> T call(Callable<T> work) {
        try {
            return executor.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the compute thread", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
