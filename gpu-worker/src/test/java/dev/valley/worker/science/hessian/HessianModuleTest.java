package dev.valley.worker.science.hessian;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed TorchScript module is what {@code tools/make_hessian_module.py} writes today: the script run again
 * with Debian's python3-torch (which {@code .ci/run} installs) gives the same TorchScript code, so an edit to the
 * script that was not written out fails here.
 */
class HessianModuleTest {

    @Test
    void theCommittedModuleIsWhatTheScriptWrites() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.exists(python) && new ProcessBuilder(python.toString(), "-c", "import torch")
                .start().waitFor() == 0, "Debian's python3-torch is not installed here");
        Path dir = Files.createTempDirectory("valley-hessian-module");
        Path out = dir.resolve("hessian-vector-product.pt");
        Path script = Path.of("..", "tools", "make_hessian_module.py");
        Process p = new ProcessBuilder(python.toString(), script.toString(), out.toString()).inheritIO().start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        byte[] committed;
        try (InputStream in = HessianVectorProducts.class.getResourceAsStream("hessian-vector-product.pt")) {
            committed = in.readAllBytes();
        }
        Path copy = dir.resolve("committed.pt");
        Files.write(copy, committed);
        String expected = code(out);
        assertThat(expected).contains("torch.autograd.grad");
        assertThat(code(copy)).isEqualTo(expected);
        Files.delete(out);
        Files.delete(copy);
        Files.delete(dir);
    }

    /** The archive's {@code code/__torch__.py}: the scripted function's TorchScript source. (By the central
     * directory: PyTorch stores its entries with data descriptors, which a ZipInputStream refuses.) */
    private static String code(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith("code/__torch__.py")).findFirst()
                    .orElseThrow(() -> new AssertionError("no code/__torch__.py in " + archive));
            try (InputStream in = zip.getInputStream(entry)) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
    }
}
