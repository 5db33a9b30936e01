package dev.valley.worker.science.bench;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.GridTile;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.grid.GridRun;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A grid as a worker runs it (GridRun's session, each tile's values serialised as the worker sends them), in two
 * measurements:
 * <ul>
 * <li>{@code tiles [side] [tile] [rounds]}: the 784-512-512-10 MLP's side × side plane on 2,000 + 2,000
 * Fashion-MNIST images, as one tile against tiles of tile × tile, alternating in rounds; tiles should cost at most
 * 5 % more.</li>
 * <li>{@code memory [tiles]}: a 1000 × 1000 random plane around a 2-64-64-3 spirals MLP (300 + 100 examples per point:
 * the allocations per point are the same as with more), tiles of 50 × 50; after every 25 tiles the heap in use
 * after a full GC, the process's resident set (VmRSS) and its peak (VmHWM). Flat means no growth per tile.</li>
 * </ul>
 * <pre>
 * ./valley bench tiles [side] [tile] [rounds] [--json]
 * ./valley bench memory [tiles] [--json]
 * </pre>
 */
public final class GridTilesBenchmark {
    private static final String CENTER = "{\"kind\": \"random\", \"center\": {\"job\": "
            + "\"00000000-0000-0000-0000-000000000001\"}}";

    public static void main(String[] options) {
        String mode = options.length > 0 ? options[0] : "tiles";
        BenchJson json = BenchJson.of(mode, options);
        String[] args = BenchJson.withoutFlag(options);
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                Device device = TrainingBenchmark.device();
                if (mode.equals("memory")) {
                    memory(args.length > 1 ? Integer.parseInt(args[1]) : 400, device, json);
                } else {
                    tiles(args.length > 1 ? Integer.parseInt(args[1]) : 21, args.length > 2 ? Integer.parseInt(args[2])
                            : 7, args.length > 3 ? Integer.parseInt(args[3]) : 3, device, json);
                }
                return null;
            });
        }
    }

    private static GridSpec spec(String dataset, int side, int tile, int train, int test) {
        return JSON.readValue("{\"plane\": " + CENTER + ", \"resolution\": [" + side + ", " + side + "], \"dataset\": \""
                + dataset + "\", \"trainSubset\": " + train + ", \"testSubset\": " + test + ", \"recomputeBatchNorm\":"
                + " false, \"tile\": [" + tile + ", " + tile + "], \"batchSize\": 128, \"seed\": 1}", GridSpec.class)
                .withDefaults();
    }

    /** The center network's safetensors, as a train job would have stored it. */
    private static byte[] center(ModelSpec model, DatasetSplits data, Device device) {
        Architecture architecture = Architectures.of(model, data.sampleShape(), data.outputs());
        try (NDManager manager = NDManager.newBaseManager(device);
                Weights weights = architecture.initialize(manager, 1)) {
            return SafeTensors.write(weights.tensors(), Workspace.metadata(architecture, data, "valley/model-v1",
                    model));
        }
    }

    /** Bytes serialised, so that the serialisation cannot be optimised away. */
    static volatile long sent;

    private static double run(GridRun.Session session, List<GridTile> tiles) {
        long start = System.nanoTime();
        for (GridTile tile : tiles) {
            sent += JSON.writeValueAsBytes(session.compute(tile, "bench", () -> false)).length;
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void tiles(int side, int tile, int rounds, Device device, BenchJson json) {
        DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);
        ModelSpec model = new ModelSpec(ModelSpec.MLP, List.of(512, 512), null);
        byte[] center = center(model, catalog.load("fashion-mnist", 1), device);
        GridSpec whole = spec("fashion-mnist", side, side, 2_000, 2_000);
        GridSpec tiled = spec("fashion-mnist", side, tile, 2_000, 2_000);
        System.out.printf("%dx%d plane of the 784-512-512-10 MLP on 2,000 + 2,000 images: one tile against %d tiles of"
                + " %dx%d%n", side, side, tiled.tiles().size(), tile, tile);
        GridRun grids = new GridRun(catalog);
        try (GridRun.Session one = grids.open(whole, model, field -> center, device, 2L << 30);
                GridRun.Session many = grids.open(tiled, model, field -> center, device, 2L << 30)) {
            run(one, List.of(new GridTile(0, 0, 1, 0, 1)));
            run(many, List.of(new GridTile(0, 0, 1, 0, 1)));
            for (int round = 1; round <= rounds; round++) {
                double a = run(one, whole.tiles());
                double b = run(many, tiled.tiles());
                System.out.printf("round %d: one tile %.2f s, %d tiles %.2f s: tiles cost %+.1f%%%n", round, a,
                        tiled.tiles().size(), b, 100 * (b / a - 1));
                json.line("round", round, "side", side, "tile", tile, "oneTileSeconds", a, "tilesSeconds", b,
                        "tiles", tiled.tiles().size(), "overhead", b / a - 1, "device", device.toString());
            }
        }
    }

    private static void memory(int count, Device device, BenchJson json) {
        DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);
        ModelSpec model = new ModelSpec(ModelSpec.MLP, List.of(64, 64), null);
        byte[] center = center(model, catalog.load("spirals", 1), device);
        GridSpec spec = spec("spirals", 1000, 50, 300, 100);
        List<GridTile> tiles = spec.tiles().subList(0, Math.min(count, spec.tiles().size()));
        System.out.printf("1000x1000 random plane around a 2-64-64-3 spirals MLP, 300 + 100 examples per point: %d"
                + " tiles of 50x50%n", tiles.size());
        // The first samples hold the start (the engine, the JIT, the session's arrays); growth is measured after them.
        List<double[]> samples = new java.util.ArrayList<>();
        long start = System.nanoTime();
        try (GridRun.Session session = new GridRun(catalog).open(spec, model, field -> center, device, 2L << 30)) {
            for (int i = 0; i < tiles.size(); i++) {
                sent += JSON.writeValueAsBytes(session.compute(tiles.get(i), "bench", () -> false)).length;
                int done = i + 1;
                if (done % 25 == 0 || done == tiles.size()) {
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    long rss = status("VmRSS");
                    long peak = status("VmHWM");
                    if (done >= 50) {
                        samples.add(new double[] {done, heap, rss});
                    }
                    double heapSlope = slope(samples, 1) / 1024;
                    double rssSlope = slope(samples, 2) / 1024;
                    System.out.printf("tiles %3d: %.0f points/s; heap after GC %.1f MB, RSS %.1f MB (peak %.1f MB);"
                            + " growth from tile 50 on (least squares): heap %+.2f KB, RSS %+.2f KB per tile%n", done,
                            done * 2500.0 / ((System.nanoTime() - start) / 1e9), heap / 1e6, rss / 1024.0 / 1024,
                            peak / 1024.0 / 1024, heapSlope, rssSlope);
                    json.line("tiles", done, "heapBytes", heap, "rssBytes", rss, "peakRssBytes", peak,
                            "heapGrowthPerTileKb", heapSlope, "rssGrowthPerTileKb", rssSlope,
                            "device", device.toString());
                }
            }
        }
    }

    /** The least-squares slope of column {@code y} against column 0; 0 with fewer than two samples. */
    static double slope(List<double[]> samples, int y) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double mx = samples.stream().mapToDouble(s -> s[0]).average().orElseThrow();
        double my = samples.stream().mapToDouble(s -> s[y]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] s : samples) {
            sxy += (s[0] - mx) * (s[y] - my);
            sxx += (s[0] - mx) * (s[0] - mx);
        }
        return sxy / sxx;
    }

    /** A /proc/self/status figure in bytes (0 where there is no /proc). */
    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
