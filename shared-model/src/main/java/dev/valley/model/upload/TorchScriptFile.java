package dev.valley.model.upload;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What can be checked of a TorchScript archive without libtorch: that it is a zip ({@code torch.jit.save}'s format)
 * whose central directory reads, with every entry under one folder that holds {@code data.pkl} (the module's
 * pickled state) and {@code code/} (its TorchScript source). Loading it, and running it, is a worker's inspection.
 */
public final class TorchScriptFile {
    private TorchScriptFile() {
    }

    /** Refuses the file with the reason; a truncated upload has no central directory and is no zip. */
    public static void check(Path file) {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName());
            }
        } catch (IOException e) {
            throw new InvalidUploadException("file is not a TorchScript archive: it is not a readable zip file ("
                    + e.getMessage() + "); save the module with torch.jit.save, and upload the whole file");
        }
        try {
            root(names);
        } catch (InvalidUploadException e) {
            throw new InvalidUploadException("file is " + e.getMessage());
        }
    }

    /**
     * The folder (with its slash) that holds every entry of a zip whose entries are {@code names}, refusing, with
     * "not a TorchScript archive: " and the reason, a zip that is not of TorchScript's layout.
     */
    public static String root(List<String> names) {
        if (names.isEmpty()) {
            throw new InvalidUploadException("not a TorchScript archive: the zip file is empty");
        }
        int slash = names.get(0).indexOf('/');
        String root = slash < 0 ? "" : names.get(0).substring(0, slash + 1);
        if (root.isEmpty() || names.stream().anyMatch(n -> !n.startsWith(root))) {
            throw new InvalidUploadException("not a TorchScript archive: torch.jit.save puts every entry under one"
                    + " folder, and this zip does not");
        }
        if (!names.contains(root + "data.pkl") || names.stream().noneMatch(n -> n.startsWith(root + "code/"))) {
            throw new InvalidUploadException("not a TorchScript archive: it has no " + root + "data.pkl and " + root
                    + "code/ (save the module with torch.jit.save; torch.save writes a pickle, not TorchScript)");
        }
        return root;
    }
}
