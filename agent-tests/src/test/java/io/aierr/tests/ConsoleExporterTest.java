package io.aierr.tests;

import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

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

    @Test
    void consolePrintsOneLinePerErrorAndTheRecoveryThenTheSummary() throws Exception {
        Run run = run("console");
        ForkedJvm.Result app = run.app();
        String url = run.url();
        assertEquals("200", app.value("status"), app.toString());
        assertTrue(app.stderr.contains("aierr: openai 429 rate_limited (rate_limit_exceeded) POST " + url
                + " attempt 1: Rate limit reached for gpt-4o-mini in organization org-abc"), app.stderr);
        // the wait actually taken: the server's 100 ms, and what timers and threads add to it
        long waited = Long.parseLong(between(app.stderr, "-> retried after ", "ms (retry-after-ms)\n"));
        assertTrue(waited >= 100, app.stderr);
        assertTrue(app.stderr.contains("aierr: openai POST " + url + " recovered: 200 on attempt 2 after " + waited
                + "ms of backoff"), app.stderr);
        assertTrue(app.stderr.contains("aierr summary: 1 AI call, 1 error (rate_limited 1), 1 retry, " + waited
                + "ms total backoff"), app.stderr);
    }

    @Test
    void noneKeepsOnlyTheSummary() throws Exception {
        ForkedJvm.Result app = run("none").app();
        assertEquals("200", app.value("status"), app.toString());
        assertFalse(app.stderr.contains("rate_limited (rate_limit_exceeded)"), app.stderr);
        assertTrue(app.stderr.contains("aierr summary: 1 AI call, 1 error (rate_limited 1), 1 retry"), app.stderr);
    }

    private static String between(String text, String before, String after) {
        int start = text.indexOf(before);
        assertTrue(start >= 0, text);
        start += before.length();
        int end = text.indexOf(after, start);
        assertTrue(end >= 0, text);
        return text.substring(start, end);
    }
}
