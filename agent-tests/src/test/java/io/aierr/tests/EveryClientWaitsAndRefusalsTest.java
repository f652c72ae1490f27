package io.aierr.tests;

import io.aierr.tests.apps.SequentialCallsApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ClientFamilies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The same engine rules through every client: a server's tiny hint is what a call waits (no
 * learned pace stretches a lone caller's waits), and a call aierr does not send is answered with
 * a copy of the response behind the refusal, marked {@code x-aierr-refused}, never an exception.
 */
class EveryClientWaitsAndRefusalsTest {
    private static final String PATH = "/v1/chat/completions";

    private static ForkedJvm app(String client, ScriptedAiServer server, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "client=" + client;
        all[1] = "url=" + server.url(PATH);
        System.arraycopy(args, 0, all, 2, args.length);
        return ClientFamilies.named(client).onClassPath(ForkedJvm.app(SequentialCallsApp.class, all)
                .property("aierr.endpoints", server.authority() + "=openai"));
    }

    private static int count(ForkedJvm.Result r, String key) {
        String v = r.value(key);
        return v == null ? 0 : Integer.parseInt(v);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "jdk-async", "okhttp", "okhttp-async", "hc4", "hc5", "hc5-async"})
    void aLoneCallerWaitsTheServersTinyHintCallAfterCall(String client) throws Exception {
        long withAgent;
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.cycle(Reply.status(429).header("retry-after-ms", "1").json(Bodies.OPENAI_RATE_LIMIT),
                    Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result r = app(client, server, "calls=300")
                    // HttpClient 5 would wait its own second on a 429 that aierr hands it: not what is measured here
                    .property("aierr.retry.max-attempts", "3").run();
            assertEquals(300, count(r, "status.200"), r.toString());
            assertEquals(600, server.requestCount(), r.toString());
            withAgent = Long.parseLong(r.value("elapsed.ms"));
        }
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.cycle(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result r = app(client, server, "calls=600").withoutAgent().run();
            assertEquals(600, count(r, "status.200"), r.toString());
            // for the closing note: the ratio is read, never asserted (machines are noisy)
            System.out.println("tiny-hint " + client + ": 300 calls with aierr " + withAgent + " ms, the same 600 "
                    + "requests with no wait " + r.value("elapsed.ms") + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "jdk-async", "okhttp", "okhttp-async", "hc4", "hc5", "hc5-async"})
    void anOpenBreakerAnswersWithACopyOfTheLastOutage(String client) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.cycle(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL));
            ForkedJvm.Result r = app(client, server, "calls=3", "vary-body=true")
                    .property("aierr.retry.max-attempts", "2").property("aierr.retry.initial-backoff", "10ms")
                    .property("aierr.breaker.failures", "2").property("aierr.breaker.open-for", "60s")
                    .property("aierr.exporter", "console").run();
            assertEquals(3, count(r, "status.450"), r.toString());
            assertEquals(2, count(r, "refused.circuit-open"), r.toString());
            assertEquals(2, server.requestCount(), "the first call's two attempts opened the breaker: " + r);
            assertNull(r.value("exception.java.io.IOException"), r.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "okhttp", "hc5", "hc5-async"})
    void anAppsResendOfASettledCallIsAnsweredWithoutSending(String client) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.cycle(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM));
            ForkedJvm.Result r = app(client, server, "calls=3")
                    .property("aierr.retry.max-attempts", "3").property("aierr.retry.initial-backoff", "10ms")
                    .property("aierr.breaker.enabled", "false").run();
            assertEquals(3, count(r, "status.503"), r.toString());
            assertEquals(2, count(r, "refused.settled"), r.toString());
            assertEquals(3, server.requestCount(), "the resends got no fresh attempts: " + r);
        }
    }

    /** The control of the two tests above (HttpClient 5 is left out: without aierr it resends a 503 itself). */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "okhttp", "okhttp-async"})
    void withoutTheAgentEveryCallIsSent(String client) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.cycle(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM));
            ForkedJvm.Result r = app(client, server, "calls=3").withoutAgent().run();
            assertEquals(3, count(r, "status.503"), r.toString());
            assertEquals(3, server.requestCount(), r.toString());
            assertEquals(List.of(), List.of(r.stdout.lines().filter(l -> l.startsWith("refused.")).toArray()));
        }
    }
}
