package dev.valley.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * S3Proxy serving a local folder through the S3 API. S3Proxy brings Jetty, Guava and three cloud SDKs, so it runs
 * from its own fat jar in a class loader of its own, seen only through reflection, and clashes with nothing.
 */
public final class EmbeddedObjectStore implements AutoCloseable {
    private static final String JAR_RESOURCE = "s3proxy.jar.bin";

    private final Object proxy;
    private final URLClassLoader loader;
    private final URI endpoint;

    private EmbeddedObjectStore(Object proxy, URLClassLoader loader, URI endpoint) {
        this.proxy = proxy;
        this.loader = loader;
        this.endpoint = endpoint;
    }

    /** Serving {@code baseDir} to clients that sign with {@code accessKey} and {@code secretKey}. */
    public static EmbeddedObjectStore start(Path baseDir, String accessKey, String secretKey) {
        int port = FreePorts.next();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        URLClassLoader loader = null;
        try {
            Files.createDirectories(baseDir);
            loader = new URLClassLoader(new URL[] {extractJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            thread.setContextClassLoader(loader);
            Properties properties = new Properties();
            properties.setProperty("jclouds.provider", "filesystem");
            properties.setProperty("jclouds.identity", accessKey);
            properties.setProperty("jclouds.credential", secretKey);
            properties.setProperty("jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
            properties.setProperty("s3proxy.endpoint", endpoint.toString());
            properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            properties.setProperty("s3proxy.identity", accessKey);
            properties.setProperty("s3proxy.credential", secretKey);
            Class<?> blobStores = loader.loadClass("org.gaul.s3proxy.BlobStores");
            Object blobStore = blobStores.getMethod("create", String.class, Properties.class)
                    .invoke(null, "filesystem", properties);
            Class<?> builderClass = loader.loadClass("org.gaul.s3proxy.S3Proxy$Builder");
            Object builder = builderClass.getMethod("fromProperties", Properties.class).invoke(null, properties);
            Method withStore = builderClass.getMethod("blobStore", loader.loadClass("org.gaul.s3proxy.blobstore.BlobStore"));
            builder = withStore.invoke(builder, blobStore);
            builder = builderClass.getMethod("ignoreUnknownHeaders", boolean.class).invoke(builder, true);
            Object proxy = builderClass.getMethod("build").invoke(builder);
            proxy.getClass().getMethod("start").invoke(proxy);
            awaitStarted(proxy);
            return new EmbeddedObjectStore(proxy, loader, endpoint);
        } catch (ReflectiveOperationException | IOException e) {
            closeQuietly(loader);
            throw new IllegalStateException("embedded S3 server did not start on " + endpoint, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void awaitStarted(Object proxy) throws ReflectiveOperationException {
        Method state = proxy.getClass().getMethod("getState");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(state.invoke(proxy))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy still " + state.invoke(proxy) + " after 30 s");
            }
            Thread.onSpinWait();
        }
    }

    /** The fat jar is copied out once per version into the temporary folder; a URLClassLoader needs a file. */
    private static Path extractJar() throws IOException {
        try (InputStream in = EmbeddedObjectStore.class.getResourceAsStream(JAR_RESOURCE)) {
            if (in == null) {
                throw new IOException(JAR_RESOURCE + " is missing from the classpath: build embedded-servers with Maven");
            }
            Path target = Path.of(System.getProperty("java.io.tmpdir"), "valley-s3proxy-" + System.getProperty("user.name") + ".jar");
            long expected = resourceSize();
            if (!Files.exists(target) || Files.size(target) != expected) {
                Path partial = Files.createTempFile(target.getParent(), "valley-s3proxy", ".part");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        }
    }

    private static long resourceSize() throws IOException {
        return EmbeddedObjectStore.class.getResource(JAR_RESOURCE).openConnection().getContentLengthLong();
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        try {
            proxy.getClass().getMethod("stop").invoke(proxy);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        } finally {
            closeQuietly(loader);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
