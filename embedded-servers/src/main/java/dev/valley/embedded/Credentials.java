package dev.valley.embedded;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded servers' credentials, random for each state folder and kept in it ({@code credentials.properties},
 * readable by its owner alone), so that another user of the machine cannot reach the database, the broker or the
 * objects on their loopback ports with a password anyone could read in this code.
 */
public record Credentials(String databasePassword, String brokerUser, String brokerPassword, String storageAccessKey,
        String storageSecretKey) {
    public static final String FILE = "credentials.properties";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** New random credentials, kept nowhere: for servers that live as long as one test. */
    public static Credentials generate() {
        return new Credentials(secret(), "valley", secret(), "valley-" + secret().substring(0, 12), secret());
    }

    /** The folder's credentials: read from its file, or generated and written there (owner-only) the first time. */
    public static Credentials in(Path home) {
        Path file = home.resolve(FILE);
        try {
            Files.createDirectories(home);
            if (!Files.exists(file)) {
                Credentials fresh = generate();
                Path partial = Files.createTempFile(home, "credentials", ".part",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                try (Writer out = Files.newBufferedWriter(partial)) {
                    fresh.properties().store(out, "Valley's embedded servers (./valley up); keep private");
                }
                try {
                    Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.delete(partial);
                }
            }
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                p.load(in);
            }
            return new Credentials(p.getProperty("database.password"), p.getProperty("broker.user"),
                    p.getProperty("broker.password"), p.getProperty("storage.access-key"),
                    p.getProperty("storage.secret-key"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the embedded servers' credentials in " + file, e);
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.setProperty("database.password", databasePassword);
        p.setProperty("broker.user", brokerUser);
        p.setProperty("broker.password", brokerPassword);
        p.setProperty("storage.access-key", storageAccessKey);
        p.setProperty("storage.secret-key", storageSecretKey);
        return p;
    }

    private static String secret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
