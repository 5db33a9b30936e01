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

    /** {@code [device] [--json]}: with {@code --json}, one JSON line (tools/gpu-check.sh reads it) instead. */
    public static void main(String[] args) {
        boolean json = java.util.Arrays.asList(args).contains("--json");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--json")).toArray(String[]::new);
        Engine engine = Engine.getInstance();
        var device = Devices.select(rest.length > 0 ? rest[0] : "auto");
        float[] product;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a = manager.arange(4f).reshape(2, 2);
            product = a.matMul(a).toFloatArray();
        }
        if (json) {
            java.util.Map<String, Object> line = new java.util.LinkedHashMap<>();
            line.put("check", "engine");
            line.put("engine", engine.getEngineName());
            line.put("version", engine.getVersion());
            line.put("gpus", engine.getGpuCount());
            line.put("device", device.toString());
            line.put("libtorch", String.valueOf(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()));
            line.put("product", product);
            line.put("productRight", java.util.Arrays.equals(product, new float[] {2, 3, 6, 11}));
            System.out.println(dev.valley.model.Json.JSON.writeValueAsString(line));
            return;
        }
        System.out.printf("engine %s %s, %d GPU(s), libtorch in %s%n", engine.getEngineName(), engine.getVersion(),
                engine.getGpuCount(), ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        System.out.printf("device %s: [[0,1],[2,3]]² = %s%n", device, java.util.Arrays.toString(product));
    }
}
