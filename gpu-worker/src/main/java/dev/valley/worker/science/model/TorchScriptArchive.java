package dev.valley.worker.science.model;

import dev.valley.model.upload.InvalidUploadException;
import dev.valley.model.upload.TorchScriptFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A user's TorchScript archive ({@code torch.jit.save}'s zip), read for what DJL does not show: its buffers.
 *
 * <p>DJL's PyTorch JNI lists a module's parameters by their {@code state_dict} names, but not its buffers (batch
 * norm's running statistics), which a curve point, an average or a grid point must recompute. The archive carries
 * its modules as TorchScript source ({@code code/…py}), compiled when it loads: each class lists its
 * {@code __parameters__} and {@code __buffers__} and types its submodules, and {@code data.pkl} names the top
 * module's class. {@link #stateDictEntries} walks that source the way {@code Module.state_dict()} walks the modules
 * (a module's own parameters and buffers, then each submodule's, in the order they were registered);
 * {@link #withValleyMethods} adds two methods to the top class: {@value #METHOD}, which returns the buffers, so that
 * the loaded module hands out tensors that alias them, and {@value #BIND}, which makes given tensors its own.
 *
 * <p>A buffer typed {@code Optional[Tensor]} (batch norm without running statistics holds None there) is left out.
 */
public final class TorchScriptArchive {
    /** The method {@link #withValleyMethods} adds: {@code def valley_buffers(self) -> List[Tensor]}. */
    public static final String METHOD = "valley_buffers";
    /** The method {@link #withValleyMethods} adds: {@code def valley_bind(self, tensors: List[Tensor]) -> None}. */
    public static final String BIND = "valley_bind";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final Pattern ROOT_CLASS = Pattern.compile("c([A-Za-z0-9_.]+)\n([A-Za-z0-9_]+)\n");
    private static final Pattern LIST = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern MOMENTUM = Pattern.compile("Final\\[float\\] = ([0-9.eE+-]+)");
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "^  (?:([A-Za-z_][A-Za-z0-9_]*) :|__annotations__\\[\"([^\"]+)\"\\] =) (.+)$");

    private final Map<String, byte[]> entries;
    private final String root;
    private final String topClass;

    private TorchScriptArchive(Map<String, byte[]> entries) {
        this.entries = entries;
        try {
            this.root = TorchScriptFile.root(List.copyOf(entries.keySet()));
        } catch (InvalidUploadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        byte[] pickle = entries.get(root + "data.pkl");
        Matcher top = ROOT_CLASS.matcher(new String(pickle, 0, Math.min(pickle.length, 512),
                StandardCharsets.ISO_8859_1));
        if (!top.find()) {
            throw new IllegalArgumentException("not a TorchScript archive: data.pkl names no module class");
        }
        this.topClass = top.group(1) + "." + top.group(2);
    }

    /**
     * Reads the archive's entries by its central directory (PyTorch stores entries with data descriptors, which a
     * streaming zip reader refuses); a file that is no zip, or a truncated one, is refused with the reason.
     */
    public static TorchScriptArchive read(byte[] archive) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Path file = null;
        try {
            file = Files.createTempFile("valley-torchscript-", ".pt");
            Files.write(file, archive);
            try (ZipFile zip = new ZipFile(file.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    try (InputStream in = zip.getInputStream(e)) {
                        entries.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a TorchScript archive: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
        return new TorchScriptArchive(entries);
    }

    /** The top module's class, as TorchScript names it ({@code __torch__.ResNet}). */
    public String topClass() {
        return topClass;
    }

    /** Every buffer by its {@code state_dict} name, in {@code named_buffers()} order. */
    public List<String> buffers() {
        return stateDictEntries().stream().filter(Entry::buffer).map(Entry::name).toList();
    }

    /**
     * The archive with two methods added to its top class (and the source map of that file dropped, which would no
     * longer match): {@value #METHOD}, which returns the buffers (an empty list for a module without any), and
     * {@value #BIND}, which makes the given tensors the module's own, in {@code state_dict} order (parameters that
     * hold None skipped): the module then computes with, and its batch norms update, exactly those tensors.
     */
    public byte[] withValleyMethods() {
        String file = file(topClass);
        String source = source(file);
        StringBuilder method = new StringBuilder("  def ").append(METHOD).append("(self: ").append(topClass)
                .append(") -> List[Tensor]:\n    return [");
        List<Entry> stateDict = stateDictEntries();
        for (Entry e : stateDict) {
            if (e.buffer()) {
                method.append(attribute(e.path())).append(", ");
            }
        }
        method.append("]\n");
        // A parameter slot may hold None (a convolution without bias), typed Optional[Tensor]: such a slot is
        // bound only where it holds a tensor, the list's index advancing only then.
        method.append("  def ").append(BIND).append("(self: ").append(topClass)
                .append(", tensors: List[Tensor]) -> NoneType:\n    _k = 0\n");
        int i = 0;
        for (Entry e : stateDict) {
            String leaf = e.path().get(e.path().size() - 1);
            if (!IDENTIFIER.matcher(leaf).matches()) {
                throw new IllegalArgumentException(e.name() + " is named by a number (nn.ParameterList or"
                        + " ParameterDict); Valley binds tensors by attribute name: register it with a name");
            }
            String owner = "_m" + i;
            method.append("    ").append(owner).append(" = ")
                    .append(attribute(e.path().subList(0, e.path().size() - 1))).append("\n");
            String indent = "    ";
            if (e.optional()) {
                String value = "_v" + i;
                method.append("    ").append(value).append(" = ").append(owner).append(".").append(leaf)
                        .append("\n    if ").append(value).append(" is not None:\n");
                indent = "      ";
            }
            method.append(indent).append(owner).append(".").append(leaf).append(" = tensors[_k]\n")
                    .append(indent).append("_k = _k + 1\n");
            i++;
        }
        method.append("    return None\n");
        source = withoutValleyMethods(source);
        int end = classEnd(source, classStart(source, topClass));
        String rewritten = end == source.length() ? source + (source.endsWith("\n") ? "" : "\n") + method
                : source.substring(0, end + 1) + method + source.substring(end + 1);
        Map<String, byte[]> out = new LinkedHashMap<>(entries);
        out.put(file, rewritten.getBytes(StandardCharsets.UTF_8));
        out.remove(file + ".debug_pkl");
        return zip(out);
    }

    /**
     * The source without the methods an earlier {@link #withValleyMethods} added: an archive Valley saved (a job's
     * {@code model.pt}) has them already, and TorchScript refuses a method defined twice.
     */
    private String withoutValleyMethods(String source) {
        int classStart = classStart(source, topClass);
        StringBuilder out = new StringBuilder(source.substring(0, classStart));
        boolean skipping = false;
        String body = source.substring(classStart, classEnd(source, classStart));
        for (String line : body.split("\n", -1)) {
            if (line.startsWith("  def ")) {
                skipping = line.startsWith("  def " + METHOD + "(") || line.startsWith("  def " + BIND + "(");
            }
            if (!skipping) {
                out.append(line).append('\n');
            }
        }
        out.setLength(out.length() - 1);
        return out + source.substring(classEnd(source, classStart));
    }

    /** {@code getattr(getattr(self, "blocks"), "0")…}: the attribute at the end of {@code path}. */
    private static String attribute(List<String> path) {
        String expression = "self";
        for (String step : path) {
            expression = "getattr(" + expression + ", \"" + step + "\")";
        }
        return expression;
    }

    /**
     * One tensor of the module's {@code state_dict}: the attributes that lead to it, whether it is a buffer, and the
     * class of the module that holds it.
     */
    public record Entry(List<String> path, boolean buffer, String owner, boolean optional) {
        public String name() {
            return String.join(".", path);
        }
    }

    /** The {@code state_dict}'s tensors in its order: each module's own parameters, then its own buffers, then its
     * submodules', depth first. A parameter slot is listed even where it holds None (a convolution without bias):
     * the source does not say; the loaded module does. */
    public List<Entry> stateDictEntries() {
        List<Entry> entries = new ArrayList<>();
        walk(topClass, new ArrayList<>(), entries);
        return entries;
    }

    /**
     * For a buffer of PyTorch's own BatchNorm1d/2d/3d, the factor by which a training-mode pass scales the batch's
     * statistics into running ones that were zero before it: the module's momentum (a compiled {@code Final}
     * constant in its class), or 1 where momentum is None (a cumulative average whose counter was zero too). Empty
     * for any other module's buffer.
     */
    public java.util.OptionalDouble batchNormFactor(String ownerClass) {
        // torch.jit mangles a second variant of a class into a submodule: batchnorm.___torch_mangle_3.BatchNorm2d
        if (!ownerClass.startsWith("__torch__.torch.nn.modules.batchnorm.")
                || !simpleName(ownerClass).startsWith("BatchNorm")) {
            return java.util.OptionalDouble.empty();
        }
        String type = classSource(ownerClass).attributes.get("momentum");
        Matcher m = type == null ? null : MOMENTUM.matcher(type);
        if (m != null && m.matches()) {
            return java.util.OptionalDouble.of(Double.parseDouble(m.group(1)));
        }
        return type != null && type.contains("NoneType") ? java.util.OptionalDouble.of(1)
                : java.util.OptionalDouble.empty();
    }

    /** Depth first, as state_dict(): the class's own parameters and buffers, then each submodule's. */
    private void walk(String qualifiedClass, List<String> prefix, List<Entry> entries) {
        ClassSource c = classSource(qualifiedClass);
        for (boolean buffer : new boolean[] {false, true}) {
            for (String name : buffer ? c.buffers : c.parameters) {
                String type = c.attributes.get(name);
                if (buffer && type != null && type.startsWith("Optional[")) {
                    continue;
                }
                List<String> path = new ArrayList<>(prefix);
                path.add(name);
                entries.add(new Entry(path, buffer, qualifiedClass, type != null && type.startsWith("Optional[")));
            }
        }
        for (Map.Entry<String, String> attribute : c.attributes.entrySet()) {
            String type = attribute.getValue();
            if (type.startsWith("__torch__.") && isModule(type)) {
                List<String> path = new ArrayList<>(prefix);
                path.add(attribute.getKey());
                walk(type, path, entries);
            }
        }
    }

    private boolean isModule(String qualifiedClass) {
        return source(file(qualifiedClass)).contains("class " + simpleName(qualifiedClass) + "(Module):");
    }

    /** A source file of the archive; empty where it has none. */
    private String source(String file) {
        byte[] bytes = entries.get(file);
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String simpleName(String qualifiedClass) {
        return qualifiedClass.substring(qualifiedClass.lastIndexOf('.') + 1);
    }

    /** Where the class's definition starts in its file's source. */
    private int classStart(String source, String qualifiedClass) {
        int start = source.indexOf("class " + simpleName(qualifiedClass) + "(");
        if (start < 0) {
            throw new IllegalArgumentException("the archive has no source for " + qualifiedClass + " ("
                    + file(qualifiedClass) + ")");
        }
        return start;
    }

    /** Where the definition starting at {@code start} ends: at the next class, or the file's end. */
    private static int classEnd(String source, int start) {
        int next = source.indexOf("\nclass ", start + 1);
        return next < 0 ? source.length() : next;
    }

    /** {@code __torch__.torch.nn.modules.conv.Conv2d} is class Conv2d of code/__torch__/torch/nn/modules/conv.py. */
    private String file(String qualifiedClass) {
        String module = qualifiedClass.substring(0, qualifiedClass.lastIndexOf('.'));
        return root + "code/" + module.replace('.', '/') + ".py";
    }

    private record ClassSource(List<String> parameters, List<String> buffers, Map<String, String> attributes) {
    }

    private ClassSource classSource(String qualifiedClass) {
        String source = source(file(qualifiedClass));
        int start = classStart(source, qualifiedClass);
        List<String> parameters = new ArrayList<>();
        List<String> buffers = new ArrayList<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String line : source.substring(start, classEnd(source, start)).split("\n")) {
            if (line.startsWith("  def ")) {
                break; // the attributes come before the methods
            }
            if (line.startsWith("  __buffers__ = ") || line.startsWith("  __parameters__ = ")) {
                List<String> names = line.startsWith("  __buffers__") ? buffers : parameters;
                Matcher m = LIST.matcher(line);
                while (m.find()) {
                    names.add(m.group(1));
                }
                continue;
            }
            Matcher a = ATTRIBUTE.matcher(line);
            if (a.matches()) {
                String type = a.group(3).trim();
                attributes.put(a.group(1) != null ? a.group(1) : a.group(2), type);
            }
        }
        return new ClassSource(parameters, buffers, attributes);
    }

    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setMethod(ZipOutputStream.STORED);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
