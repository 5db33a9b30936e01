package dev.valley.worker.science.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd off for this thread until closed, then restores it. Grad mode is per thread and on by
 * default in any thread DJL has not touched (a listener thread, say); a GradientCollector switches it on for its
 * step and back to what it found. In-place updates of parameters and evaluation must run without it.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
