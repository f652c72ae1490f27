package io.aierr.tests;

import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.apps.LoadApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.RateLimitedAiServer;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aierr.exporter=console} and the exit summary, as the app's stderr shows them. */
class ConsoleExporterTest {
    private static final String PATH = "/v1/chat/completions";

    record Run(ForkedJvm.Result app, String url) {
    }

    private static Run run(String exporter) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(429).header("retry-after-ms", "100").json(Bodies.OPENAI_RATE_LIMIT))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.exporter", exporter)
                    .property("aierr.summary", "true")
                    .run();
            return new Run(app, server.url(PATH));
        }
    }

    /** Each console line starts with the UTC time (ISO-8601, milliseconds) and the call's number. */
    private static final String LINE_START = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z aierr call=(\\d+) ";

    @Test
    void consolePrintsOneLinePerErrorAndTheRecoveryThenTheSummary() throws Exception {
        Run run = run("console");
        ForkedJvm.Result app = run.app();
        String url = run.url();
        assertEquals("200", app.value("status"), app.toString());
        Matcher error = Pattern.compile("(?m)^" + LINE_START + Pattern.quote("openai 429 rate_limited (rate_limit_exceeded) POST "
                + url + " attempt 1: Rate limit reached for gpt-4o-mini in organization org-abc")
                + ".* -> retried after (\\d+)ms \\(retry-after-ms\\)$").matcher(app.stderr);
        assertTrue(error.find(), app.stderr);
        // the wait actually taken: the server's 100 ms, and what timers and threads add to it
        long waited = Long.parseLong(error.group(2));
        assertTrue(waited >= 100, app.stderr);
        Matcher recovered = Pattern.compile("(?m)^" + LINE_START + Pattern.quote("openai POST " + url
                + " recovered: 200 on attempt 2 after " + waited + "ms of backoff") + "$").matcher(app.stderr);
        assertTrue(recovered.find(), app.stderr);
        assertEquals(error.group(1), recovered.group(1), "one call, one number\n" + app.stderr);
        assertTrue(app.stderr.contains("aierr summary: 1 AI call, 1 error (rate_limited 1), 1 retry, " + waited
                + "ms total backoff"), app.stderr);
    }

    @Test
    void aLongMessageIsCutWithAnEllipsisAndTheLineStaysBounded() throws Exception {
        String message = "Incorrect API key provided. " + "This message goes on and on. ".repeat(30);
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(401).json("{\"error\":{\"message\":\"" + message
                    + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH + "?trace=" + "t".repeat(300)))
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.exporter", "console")
                    // stderr in UTF-8 on JDK 17 (file.encoding) and 25 (stderr.encoding), whatever the locale
                    .property("file.encoding", "UTF-8")
                    .property("stderr.encoding", "UTF-8")
                    .run();
            assertEquals("401", app.value("status"), app.toString());
            String line = app.stderr.lines().filter(l -> l.contains(" aierr call=")).findFirst().orElseThrow();
            assertTrue(line.matches(LINE_START + "openai 401 authentication \\(invalid_api_key\\) POST http://.*t… "
                    + "attempt 1: Incorrect API key provided\\. This message goes on .*… -> giving up: .*"), line);
            assertTrue(line.length() <= 300, line.length() + ": " + line);
        }
    }

    /**
     * 16 threads against a token bucket of 20 requests/s that says when it is empty: the gate holds
     * and paces retries past their own hints, and each such line names the hint it stretched.
     */
    @Test
    void concurrentCallsUnderALimitNumberTheirLinesAndNameTheHintsTheGateStretched() throws Exception {
        try (RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            ForkedJvm.Result app = ForkedJvm.app(LoadApp.class, "url=" + server.url(PATH), "threads=16", "calls=4")
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.retry.max-attempts", "20")
                    .property("aierr.exporter", "console")
                    .run();
            assertEquals("64", app.value("outcome.200"), app.toString());
            List<String> lines = app.stderr.lines().filter(l -> l.contains(" aierr call=")).toList();
            Pattern shape = Pattern.compile(LINE_START + "openai .*");
            Set<String> calls = new HashSet<>();
            for (String line : lines) {
                Matcher m = shape.matcher(line);
                assertTrue(m.matches(), line);
                calls.add(m.group(1));
                assertTrue(line.length() <= 300, line);
            }
            assertTrue(calls.size() > 1, "concurrent calls, each its own number\n" + app);
            Pattern stretched = Pattern.compile(" -> retried after (\\d+)ms \\(([a-z-]+)"
                    + " (\\d+)ms, (held|paced) to (\\d+)ms\\)$");
            List<Matcher> stretchedLines = lines.stream().map(stretched::matcher).filter(Matcher::find).toList();
            assertFalse(stretchedLines.isEmpty(), "the gate stretched some waits\n" + app);
            for (Matcher m : stretchedLines) {
                assertEquals(m.group(1), m.group(5), m.group());
            }
            // a held or paced wait never goes unexplained
            assertTrue(lines.stream().filter(l -> l.contains("(held") || l.contains("(paced")).allMatch(
                    l -> stretched.matcher(l).find() || l.endsWith("(paced)")), app.toString());
        }
    }

    @Test
    void noSummaryWhenTheAppMadeNoAiCall() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            // the server is not named in aierr.endpoints: a plain HTTP call, not an AI call
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.exporter", "console")
                    .property("aierr.summary", "true")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertTrue(app.stderr.contains(": retries on (max-attempts"), "the agent ran\n" + app);
            assertFalse(app.stderr.contains("aierr summary"), app.toString());
        }
    }

    @Test
    void noneKeepsOnlyTheSummary() throws Exception {
        ForkedJvm.Result app = run("none").app();
        assertEquals("200", app.value("status"), app.toString());
        assertFalse(app.stderr.contains("rate_limited (rate_limit_exceeded)"), app.stderr);
        assertTrue(app.stderr.contains("aierr summary: 1 AI call, 1 error (rate_limited 1), 1 retry"), app.stderr);
    }
}
