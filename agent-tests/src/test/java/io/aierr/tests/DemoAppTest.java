package io.aierr.tests;

import io.aierr.tests.support.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo: {@code demo-app.jar} in a forked JVM with and without the agent, on a free
 * port. With the agent the retryable errors end in the success the endpoint sends next; the
 * others reach the app unchanged after one request. Without it every call sees its first error.
 */
class DemoAppTest {
    /** A scenario's line, e.g. {@code 408 request timeout   app saw 408 after 1 server hit in 2 ms  Request ...}. */
    private static final Pattern LINE = Pattern.compile(
            "^(?<label>\\S.*?)\\s+app saw (?<status>\\d{3}) after (?<hits>\\d+) server hits? in (?<ms>\\d+) ms",
            Pattern.MULTILINE);

    record Expected(String label, int firstStatus, int statusWithAgent, int hitsWithAgent) {
    }

    private static final List<Expected> SCENARIOS = List.of(
            new Expected("429 retry-after 1s, then 200", 429, 200, 2),
            new Expected("429 insufficient_quota", 429, 429, 1),
            new Expected("450 PAI-EAS queue full, then 200", 450, 200, 2),
            new Expected("503 no healthy upstream, then 200", 503, 200, 2),
            new Expected("503 overloaded, every time", 503, 503, 5),
            new Expected("401 wrong API key", 401, 401, 1),
            new Expected("404 Azure wrong deployment", 404, 404, 1),
            new Expected("400 context_length_exceeded", 400, 400, 1),
            new Expected("408 request timeout", 408, 408, 1),
            new Expected("504 gateway timeout", 504, 504, 1),
            new Expected("529 Anthropic overloaded, then 200", 529, 200, 2));

    record Seen(int status, int hits, long millis) {
    }

    private static Path demoJar() {
        String jar = System.getProperty("demo.jar", "../demo-app/target/demo-app.jar");
        return Paths.get(jar).toAbsolutePath().normalize();
    }

    /** The demo serves its four providers on ports N to N+3. */
    private static final List<String> PROVIDERS = List.of("openai", "azure-openai", "pai-eas", "anthropic");

    /** A port N such that N to N+3 were free a moment ago. */
    private static int freePorts() throws IOException {
        while (true) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (port + PROVIDERS.size() <= 65536 && allFree(port)) {
                return port;
            }
        }
    }

    private static boolean allFree(int port) {
        for (int p = port; p < port + PROVIDERS.size(); p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                // free
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    /** {@code 127.0.0.1:N=openai,127.0.0.1:N+1=azure-openai,...}: each provider named on its own port. */
    private static String endpoints(int port) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < PROVIDERS.size(); i++) {
            out.append(i == 0 ? "" : ",").append("127.0.0.1:").append(port + i).append('=').append(PROVIDERS.get(i));
        }
        return out.toString();
    }

    record DemoRun(ForkedJvm.Result result, Map<String, Seen> seen, int port) {
    }

    /**
     * Runs the demo as the README does (console exporter), on its own port, and checks each
     * scenario's line: with the agent against the expected outcome, without it against the first
     * status after one request.
     */
    private static DemoRun runDemo(boolean agent) throws Exception {
        ForkedJvm.Result result = null;
        int port = 0;
        // The agent must be told the port before the demo binds it, so the port is found free first;
        // in between, another process may take it. The demo then says so and exits at once, and the
        // run is made again on another port (see aTakenPortEndsTheDemoWithOneLineAndANonZeroExit).
        for (int run = 0; run < 5 && (result == null || portWasTaken(result)); run++) {
            port = freePorts();
            result = ForkedJvm.jar(demoJar(), "--port", String.valueOf(port))
                    .agent(agent)
                    .property("aierr.endpoints", endpoints(port))
                    .property("aierr.exporter", "console")
                    .run();
        }
        assertEquals(0, result.exitCode, result.toString());
        Map<String, Seen> seen = seenByLabel(result);
        for (Expected e : SCENARIOS) {
            Seen s = seen.get(e.label());
            assertEquals(agent ? e.statusWithAgent() : e.firstStatus(), s.status(), e.label() + "\n" + result);
            assertEquals(agent ? e.hitsWithAgent() : 1, s.hits(), e.label() + " server hits\n" + result);
        }
        return new DemoRun(result, seen, port);
    }

    private static boolean portWasTaken(ForkedJvm.Result result) {
        return result.exitCode == 2 && result.stderr.contains(" is already in use");
    }

    private static Map<String, Seen> seenByLabel(ForkedJvm.Result result) {
        Map<String, Seen> seen = new LinkedHashMap<>();
        Matcher m = LINE.matcher(result.stdout);
        while (m.find()) {
            seen.put(m.group("label"), new Seen(Integer.parseInt(m.group("status")), Integer.parseInt(m.group("hits")),
                    Long.parseLong(m.group("ms"))));
        }
        assertEquals(SCENARIOS.stream().map(Expected::label).toList(), List.copyOf(seen.keySet()),
                "one line per scenario, in order\n" + result);
        return seen;
    }

    @Test
    void withTheAgentRetryableErrorsEndInSuccessAndTheOthersKeepTheirStatus() throws Exception {
        DemoRun run = runDemo(true);
        long rateLimitedMillis = run.seen().get("429 retry-after 1s, then 200").millis();
        assertTrue(rateLimitedMillis >= 950, "retry-after: 1 honored\n" + run.result());
        assertTrue(run.result().stdout.contains("\n  java -jar demo-app/target/demo-app.jar --port "),
                "hint: the same without the agent\n" + run.result());
        // each provider's errors under its own name on the console, not all as openai
        String stderr = run.result().stderr;
        for (String expected : List.of(" openai 429 rate_limited ", " pai-eas 450 queue_full ",
                " pai-eas 503 unavailable ", " azure-openai 404 not_found ", " anthropic 529 overloaded ")) {
            assertTrue(stderr.contains(" aierr call=") && stderr.lines().anyMatch(l -> l.contains(expected)),
                    expected + "\n" + run.result());
        }
    }

    @Test
    void withoutTheAgentEveryCallSeesItsFirstStatusAndTheHintIsTheReadmeCommand() throws Exception {
        DemoRun run = runDemo(false);
        String hint = run.result().stdout.lines().filter(l -> l.startsWith("  java -javaagent:agent/target/aierr.jar "))
                .findFirst().orElseThrow(() -> new AssertionError("hint: the same with the agent\n" + run.result()))
                .strip();
        String readme = Files.readString(Paths.get("../README.md"));
        // the hint on the default ports is the README's one command, after the build
        String onDefaultPorts = hint.replace(endpoints(run.port()), endpoints(18080))
                .replace(" --port " + run.port(), "");
        assertTrue(readme.contains("\nmvn -B -q -DskipTests package && " + onDefaultPorts + "\n"),
                onDefaultPorts + "\n" + run.result());
    }

    @Test
    void aTakenPortEndsTheDemoWithOneLineAndANonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            ForkedJvm.Result result = ForkedJvm.jar(demoJar(), "--port", port).withoutAgent().run();
            assertEquals(2, result.exitCode, result.toString());
            assertEquals(1, result.stderr.strip().lines().count(), result.toString());
            assertTrue(result.stderr.contains("port " + port + " is already in use"), result.toString());
            assertFalse(LINE.matcher(result.stdout).find(), result.toString());
        }
    }
}
