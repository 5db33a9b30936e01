package dev.valley.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** helm/valley through the Helm library itself: rendered objects as maps, and lint results. */
final class Chart {
    static final Path DIR = Path.of("valley").toAbsolutePath();
    /** The cluster version templates render for (Helm's own default, 1.20, is older than the chart allows). */
    static final String KUBERNETES = "v1.31.0";

    private Chart() {
    }

    static Path ciValues(String name) {
        return DIR.resolve("ci").resolve(name);
    }

    /** {@code helm template lab valley --namespace research [-f values]}, every document parsed. */
    static Rendered render(Path... valuesFiles) {
        var template = new Helm(DIR).template().withName("lab").withNamespace("research")
                .withKubeVersion(KUBERNETES);
        for (Path values : valuesFiles) {
            template = template.withValuesFile(values);
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.call())) {
            if (document instanceof Map<?, ?> map) {
                objects.add(cast(map));
            }
        }
        return new Rendered(objects);
    }

    /**
     * {@code helm lint --strict} of the chart with the given values. Helm's lint reads only the chart's own
     * values.yaml, so a copy of the chart gets the values file merged into it the way Helm merges (maps key by key,
     * anything else replaced).
     */
    static LintResult lint(Path valuesFile) throws IOException {
        if (valuesFile == null) {
            return new Helm(DIR).lint().strict().call();
        }
        Path copy = Files.createTempDirectory("valley-chart").resolve("valley");
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(DIR.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Yaml yaml = new Yaml();
        Map<String, Object> values = cast(yaml.load(Files.readString(DIR.resolve("values.yaml"))));
        Map<String, Object> overlay = cast(yaml.load(Files.readString(valuesFile)));
        Files.writeString(copy.resolve("values.yaml"), yaml.dump(merge(values, overlay)));
        return new Helm(copy).lint().strict().call();
    }

    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overlay) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overlay.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && merged.get(key) instanceof Map<?, ?> under) {
                merged.put(key, merge(cast(under), cast(map)));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }

    static Path writeValues(String yaml) {
        try {
            Path file = Files.createTempFile("values", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one render. */
    record Rendered(List<Map<String, Object>> objects) {

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> one(String kind, String name) {
            return all(kind).stream().filter(o -> name.equals(at(o, "metadata.name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among "
                            + objects.stream().map(o -> o.get("kind") + "/" + at(o, "metadata.name")).toList()));
        }

        /** The first container of a Deployment's pod template. */
        Map<String, Object> container(String deployment) {
            List<Map<String, Object>> containers = at(one("Deployment", deployment), "spec.template.spec.containers");
            return containers.get(0);
        }

        Map<String, Object> podSpec(String deployment) {
            return at(one("Deployment", deployment), "spec.template.spec");
        }
    }

    /** A dotted path into nested maps ("spec.template.spec"); null where a step is missing. */
    static <T> T at(Map<String, Object> object, String path) {
        Object current = object;
        for (String step : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(step);
        }
        return cast(current);
    }

    /** A container's environment as name → value, or name → "secret:key" / "field:path" for references. */
    static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        List<Map<String, Object>> entries = at(container, "env");
        for (Map<String, Object> entry : entries) {
            String name = (String) entry.get("name");
            if (entry.containsKey("value")) {
                env.put(name, String.valueOf(entry.get("value")));
            } else if (at(entry, "valueFrom.secretKeyRef") != null) {
                env.put(name, "secret:" + at(entry, "valueFrom.secretKeyRef.name") + "/"
                        + at(entry, "valueFrom.secretKeyRef.key"));
            } else {
                env.put(name, "field:" + at(entry, "valueFrom.fieldRef.fieldPath"));
            }
        }
        return env;
    }
}
