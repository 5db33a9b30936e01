package dev.valley.worker.science.model;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** TorchScript archives loaded into a manager: a user's module, or one the worker carries as a resource. */
public final class TorchScriptModules {
    private TorchScriptModules() {
    }

    /**
     * {@code archive} loaded into {@code manager}, on its device, through a temporary file (DJL loads modules from
     * paths). Trainable: otherwise its tensors are inference tensors, which refuse in-place writes.
     */
    public static PtSymbolBlock load(NDManager manager, byte[] archive) {
        Path file = null;
        try {
            file = Files.createTempFile("valley-module-", ".pt");
            Files.write(file, archive);
            return JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** The archive {@code name} the worker carries beside {@code owner} ({@code tools/make_worker_modules.py}). */
    public static PtSymbolBlock resource(NDManager manager, Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the worker lacks its resource " + name);
            }
            return load(manager, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
