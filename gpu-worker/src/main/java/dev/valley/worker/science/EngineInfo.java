package dev.valley.worker.science;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Loads libtorch the way a worker does and prints what it found: the engine's version, the GPUs it sees, the device
 * {@code auto} selects, and one small product computed there. Images run it at build to fill DJL's engine cache
 * (with {@code -Dai.djl.offline=false}) and operators run it to check a node:
 * {@code java -Dloader.main=dev.valley.worker.science.EngineInfo -cp worker.jar
 * org.springframework.boot.loader.launch.PropertiesLauncher}.
 */
public final class EngineInfo {

    private EngineInfo() {
    }

    public static void main(String[] args) {
        Engine engine = Engine.getInstance();
        System.out.printf("engine %s %s, %d GPU(s), libtorch in %s%n", engine.getEngineName(), engine.getVersion(),
                engine.getGpuCount(), ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        var device = Devices.select(args.length > 0 ? args[0] : "auto");
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.arange(4f).reshape(2, 2);
            System.out.printf("device %s: [[0,1],[2,3]]² = %s%n", device,
                    java.util.Arrays.toString(a.matMul(a).toFloatArray()));
        }
    }
}
