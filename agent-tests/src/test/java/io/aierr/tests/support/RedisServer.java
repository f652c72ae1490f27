package io.aierr.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (the Debian package; {@code .ci/run} installs it) on a free loopback
 * port, with its files in a temporary folder, optionally speaking TLS only (a certificate made by
 * {@code openssl}), for the fleet's tests: started by the constructor, stopped by {@link #close},
 * killable mid-test with {@link #kill}.
 */
public final class RedisServer implements AutoCloseable {
    private static final Path BINARY = Paths.get("/usr/bin/redis-server");

    public final int port;
    private final String password;
    private final Path folder;
    /** The server's self-signed certificate when it speaks TLS only, else null. */
    private final Path certificate;
    private final Process process;

    /** @param password what clients must give, or null for none */
    public RedisServer(String password) throws IOException, InterruptedException {
        this(password, false);
    }

    /**
     * @param password what clients must give, or null for none
     * @param tls      whether it speaks TLS only, with a self-signed certificate for 127.0.0.1
     */
    public RedisServer(String password, boolean tls) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " missing: .ci/run installs it (apt-get install -y redis-server)");
        }
        this.password = password;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        folder = Files.createTempDirectory("redis-test");
        certificate = tls ? folder.resolve("cert.pem") : null;
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--bind", "127.0.0.1",
                "--dir", folder.toString(), "--save", "", "--appendonly", "no"));
        if (tls) {
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder.resolve("key.pem").toString(),
                    "-out", certificate.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1");
            command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(port), "--tls-cert-file",
                    certificate.toString(), "--tls-key-file", folder.resolve("key.pem").toString(),
                    "--tls-auth-clients", "no"));
        } else {
            command.addAll(List.of("--port", String.valueOf(port)));
        }
        if (password != null) {
            command.add("--requirepass");
            command.add(password);
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(folder.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts()) {
            if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                close();
                throw new IllegalStateException("redis-server did not start: " + Files.readString(folder.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
    }

    /** {@code redis://[:password@]127.0.0.1:port}, {@code rediss://} with TLS. */
    public String url() {
        return (certificate == null ? "redis://" : "rediss://") + (password == null ? "" : ":" + password + "@")
                + "127.0.0.1:" + port;
    }

    /** A trust store (PKCS12, password {@code changeit}) that trusts this server's certificate, for a client JVM. */
    public Path trustStore() throws IOException {
        Path store = folder.resolve("trust.p12");
        if (!Files.exists(store)) {
            run(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                    "-alias", "redis", "-file", certificate.toString(), "-keystore", store.toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit");
        }
        return store;
    }

    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Runs {@code redis-cli} against it and returns what it printed. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port), "--no-auth-warning"));
        if (certificate != null) {
            command.addAll(List.of("--tls", "--cacert", certificate.toString()));
        }
        if (password != null) {
            command.add("-a");
            command.add(password);
        }
        command.addAll(List.of(args));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes());
            cli.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every key and every value stored, as text: what a scan of the whole Redis shows. */
    public String dump() {
        StringBuilder all = new StringBuilder();
        for (String key : cli("--scan").split("\n")) {
            if (!key.isBlank()) {
                all.append(key).append('\n').append(cli("HGETALL", key)).append('\n');
            }
        }
        return all.toString();
    }

    /** Stops it at once, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public boolean alive() {
        return process.isAlive();
    }

    private boolean accepts() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is no failure of the test
        }
    }
}
