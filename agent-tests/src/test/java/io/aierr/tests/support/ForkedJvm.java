package io.aierr.tests.support;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.Lingering;
import io.aierr.tests.apps.Signals;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Starts a separate JVM running one of the test apps, with or without
 * {@code -javaagent:agent/target/aierr.jar}, and captures what it printed.
 */
public final class ForkedJvm {
    /**
     * Only a guard against a hung app, never a limit a passing run comes near: on 2 cores a JVM
     * with the agent takes 3 s to start idle and 7-15 s beside one or two busy cores, and one with
     * the OpenTelemetry agent too about 30 s idle.
     */
    public static final long TIMEOUT_SECONDS = 300;
    private static final long POLL_MILLIS = 20;

    private long timeoutSeconds = TIMEOUT_SECONDS;

    private Path javaHome = Paths.get(System.getProperty("java.home"));
    private boolean agent = true;
    /** What follows {@code -javaagent:aierr.jar=}, or null for nothing. */
    private String agentArgs;
    /** Other agents, started before aierr's (the OpenTelemetry Java agent). */
    private final List<Path> agentsBefore = new ArrayList<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    /** Environment variables added to the test's own, e.g. {@code OTEL_RESOURCE_ATTRIBUTES}. */
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> libraries = new ArrayList<>();
    private final List<Path> jarDirectories = new ArrayList<>();
    private String mainClass;
    /** When set, the JVM runs this executable jar instead of {@link #mainClass} on the test class path. */
    private Path jar;
    private final List<String> args = new ArrayList<>();
    /** When set, the app's JVM stays up after its main until this mark appears ({@link #untilReceived}). */
    private Path lingerMark;

    private ForkedJvm(String... args) {
        this.args.addAll(List.of(args));
        // the agent's own telemetry is off unless a test asks for it
        properties.put("aierr.exporter", "none");
        properties.put("aierr.summary", "false");
    }

    public static ForkedJvm app(Class<?> mainClass, String... args) {
        ForkedJvm jvm = new ForkedJvm(args);
        jvm.mainClass = mainClass.getName();
        return jvm;
    }

    /** {@code java -jar jar args}, e.g. the demo app as the README runs it. */
    public static ForkedJvm jar(Path jar, String... args) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("jar not built: " + jar);
        }
        ForkedJvm jvm = new ForkedJvm(args);
        jvm.jar = jar;
        return jvm;
    }

    public static Path agentJar() {
        Path jar = Paths.get(System.getProperty("aierr.jar", "../agent/target/aierr.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar not built: " + jar);
        }
        return jar;
    }

    /** The OpenTelemetry Java agent jar that the build copied next to the tests. */
    public static Path otelAgentJar() {
        Path jar = Paths.get(System.getProperty("otel.javaagent.jar", "target/otel/opentelemetry-javaagent.jar"))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("OpenTelemetry agent jar not copied: " + jar);
        }
        return jar;
    }

    /** A Temurin/OpenJDK 25 under /usr/lib/jvm, if this machine has one. */
    public static Optional<Path> jdk25() {
        try (Stream<Path> dirs = Files.list(Paths.get("/usr/lib/jvm"))) {
            return dirs.filter(d -> d.getFileName().toString().contains("25"))
                    .filter(d -> Files.isExecutable(d.resolve("bin/java")))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public ForkedJvm withoutAgent() {
        agent = false;
        return this;
    }

    /** {@code -javaagent:aierr.jar=args}: settings given as agent arguments. */
    public ForkedJvm agentArgs(String args) {
        agentArgs = args;
        return this;
    }

    /** Leaves out a system property this launcher sets by default ({@code aierr.exporter}, {@code aierr.summary}). */
    public ForkedJvm withoutProperty(String name) {
        properties.remove(name);
        return this;
    }

    public ForkedJvm agent(boolean on) {
        agent = on;
        return this;
    }

    /** {@code -javaagent:jar} ahead of aierr's, as a user puts the OpenTelemetry agent first. */
    public ForkedJvm agentBefore(Path jar) {
        agentsBefore.add(jar);
        return this;
    }

    /** A longer hang guard than {@link #TIMEOUT_SECONDS}, for a full-size load run by a benchmark. */
    public ForkedJvm timeoutSeconds(long seconds) {
        timeoutSeconds = seconds;
        return this;
    }

    public ForkedJvm javaHome(Path home) {
        javaHome = home;
        return this;
    }

    public ForkedJvm property(String name, String value) {
        properties.put(name, value);
        return this;
    }

    /** Sets an environment variable of the app's JVM, as a deployment does ({@code OTEL_*}). */
    public ForkedJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Appends an argument for the app's {@code main}. */
    public ForkedJvm arg(String arg) {
        args.add(arg);
        return this;
    }

    public ForkedJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    /** Adds the test class path entry whose file name contains this text (e.g. {@code okhttp-4.12.0}). */
    public ForkedJvm library(String fileNamePart) {
        libraries.add(fileNamePart);
        return this;
    }

    /** Adds every jar in this directory (libraries that cannot share the test class path, e.g. other OkHttp majors). */
    public ForkedJvm jarsIn(Path directory) {
        jarDirectories.add(directory);
        return this;
    }

    /**
     * Keeps the app's JVM up after its {@code main} until the receiver holds what {@code enough}
     * asks for (at most {@link Signals#MAX_WAIT_MILLIS}), with finished spans exported after 10 ms
     * instead of 5 s. What the test then reads arrives while the app runs, as from a service, and
     * not in the flush at exit, which aierr bounds to 2 s and a loaded machine can use up (1.5 s
     * seen beside two busy cores). Leave it out where the exit itself is under test.
     */
    public ForkedJvm untilReceived(OtlpReceiver receiver, Predicate<OtlpReceiver> enough) {
        if (jar != null) {
            throw new IllegalStateException("an executable jar runs its own main");
        }
        Path folder;
        try {
            folder = Files.createTempDirectory("forked-jvm-linger");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lingerMark = folder.resolve("received");
        receiver.whenReceived(enough, () -> Signals.send(folder, "received"));
        return property("otel.bsp.schedule.delay", "10");
    }

    /** {@link #untilReceived} until the receiver holds at least this many spans. */
    public ForkedJvm untilSpansReceived(OtlpReceiver receiver, int spans) {
        return untilReceived(receiver, r -> r.spans().size() >= spans);
    }

    public Result run() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        agentsBefore.forEach(jar -> command.add("-javaagent:" + jar));
        if (agent) {
            command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
        }
        command.addAll(jvmArgs);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (lingerMark != null) {
            command.add("-Dlingering.until=" + lingerMark);
        }
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.add("-cp");
            command.add(classPath());
            if (lingerMark != null) {
                command.add(Lingering.class.getName());
            }
            command.add(mainClass);
        }
        command.addAll(args);
        try {
            return execute(command, "", timeoutSeconds, environment);
        } finally {
            if (lingerMark != null) {
                Files.deleteIfExists(lingerMark);
                Files.deleteIfExists(lingerMark.getParent());
            }
        }
    }

    /**
     * Runs a command with {@code stdin} as its standard input; kills it after the timeout. While it
     * runs, notes when its standard output last grew, for {@link Result#millisAfterLastOutput}.
     */
    static Result execute(List<String> command, String stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        return execute(command, stdin, timeoutSeconds, Map.of());
    }

    static Result execute(List<String> command, String stdin, long timeoutSeconds, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path in = Files.createTempFile("forked-in", ".txt");
        Path out = Files.createTempFile("forked-out", ".txt");
        Path err = Files.createTempFile("forked-err", ".txt");
        Files.writeString(in, stdin);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(in.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long outputSize = 0;
        long lastOutput = System.nanoTime();
        boolean finished;
        while (!(finished = process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) && System.nanoTime() - deadline < 0) {
            long size = Files.size(out);
            if (size != outputSize) {
                outputSize = size;
                lastOutput = System.nanoTime();
            }
        }
        long exited = System.nanoTime();
        if (Files.size(out) != outputSize) {
            // the last lines came within the last poll: the JVM stayed no longer than that
            lastOutput = exited;
        }
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        Result result = new Result(finished ? process.exitValue() : -1, readLenient(out), readLenient(err),
                !finished, String.join(" ", command), TimeUnit.NANOSECONDS.toMillis(exited - lastOutput));
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return result;
    }

    /** Output that is not valid UTF-8 shows up as replacement characters rather than failing the read. */
    private static String readLenient(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private String classPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (Path directory : jarDirectories) {
            try (Stream<Path> jars = Files.list(directory)) {
                jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> entries.add(j.toString()));
            }
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Paths.get(entry).getFileName().toString();
            boolean testClasses = entry.endsWith("test-classes") || entry.endsWith("test-classes/");
            if (testClasses || libraries.stream().anyMatch(name::contains)) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** What the forked JVM did. */
    public static final class Result {
        public final int exitCode;
        public final String stdout;
        public final String stderr;
        public final boolean timedOut;
        public final String command;
        /**
         * How long the JVM ran on after the app's last line on standard output (its exit, shutdown
         * hooks included), to within one poll (20 ms): what an exit costs, without the JVM's start
         * that a loaded machine stretches most.
         */
        public final long millisAfterLastOutput;

        Result(int exitCode, String stdout, String stderr, boolean timedOut, String command,
               long millisAfterLastOutput) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
            this.timedOut = timedOut;
            this.command = command;
            this.millisAfterLastOutput = millisAfterLastOutput;
        }

        /** The value the app printed as {@code key=value}, or null. The last such line wins. */
        public String value(String key) {
            String found = null;
            for (String line : stdout.split("\n")) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1);
                }
            }
            return found;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "") + "\n--- command\n" + command
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
