package dev.valley.worker.science.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PyTorch process of {@code ./valley bench --pytorch}: {@code tools/bench_pytorch.py} with the same network, data,
 * batch and optimiser, driven one epoch at a time so that its rounds interleave with Valley's on the same machine.
 * It waits on its stdin between epochs, so it takes no CPU while Valley measures. The interpreter is {@code
 * VALLEY_PYTHON}, else Debian's {@code /usr/bin/python3} (where {@code python3-torch} installs), else {@code python3}
 * on the PATH.
 */
final class PyTorchSide implements AutoCloseable {
    static final Path SCRIPT = Path.of("tools/bench_pytorch.py");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One epoch as a job sees it: the steps, a test evaluation, a checkpoint written to a file. */
    record Epoch(double steps, double evaluation, double checkpoint, int samples) {
        double total() {
            return steps + evaluation + checkpoint;
        }
    }

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final String version;
    private final double matmulGflops;

    private PyTorchSide(Process process, BufferedReader out, String version, double matmulGflops) {
        this.process = process;
        this.out = out;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.version = version;
        this.matmulGflops = matmulGflops;
    }

    static String python() {
        String chosen = System.getenv("VALLEY_PYTHON");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Starts the process and waits until it has taken its warm-up steps. */
    static PyTorchSide start(Map<String, Object> spec) {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new IllegalStateException(SCRIPT + " not found: run from the repository's root (./valley bench)");
        }
        try {
            Process process = new ProcessBuilder(python(), SCRIPT.toString(), JSON.writeValueAsString(spec))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null || !first.startsWith("ready ")) {
                process.destroyForcibly();
                throw new IllegalStateException("tools/bench_pytorch.py did not start (its error is above; "
                        + "apt-get install python3-torch where torch is missing)");
            }
            JsonNode ready = JSON.readTree(first.substring("ready ".length()));
            String blas = ready.get("blas").toString();
            if (!blas.contains("openblas-openmp")) {
                System.out.println("warning: PyTorch runs on " + blas + ", not Debian's OpenMP build of OpenBLAS"
                        + " (apt-get install libopenblas0-openmp, then update-alternatives --set"
                        + " libopenblas.so.0-x86_64-linux-gnu and libblas.so.3-x86_64-linux-gnu to its"
                        + " openblas-openmp files): with the pthreads build or the reference BLAS its figures are"
                        + " several times too low");
            }
            return new PyTorchSide(process, out, ready.get("version").asString(), ready.get("matmulGflops")
                    .asDouble());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PyTorch's version, e.g. "1.13.0a0". */
    String version() {
        return version;
    }

    /**
     * PyTorch's float32 2048² matmul GFLOP/s, measured as it started: the comparison is only as fair as its matrix
     * library, and Debian's reference BLAS (libblas3, without libopenblas0) is some 40 times slower than OpenBLAS
     * (see also the warning {@link #start} prints).
     */
    double matmulGflops() {
        return matmulGflops;
    }

    Epoch epoch() {
        try {
            in.write("epoch\n");
            in.flush();
            String line = out.readLine();
            if (line == null) {
                throw new IllegalStateException("tools/bench_pytorch.py ended (its error is above)");
            }
            JsonNode n = JSON.readTree(line);
            return new Epoch(n.get("steps").asDouble(), n.get("evaluation").asDouble(), n.get("checkpoint")
                    .asDouble(), n.get("samples").asInt());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.close();
        } catch (IOException e) {
            // It has ended already.
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
