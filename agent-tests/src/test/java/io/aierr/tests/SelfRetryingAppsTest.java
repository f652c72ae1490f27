package io.aierr.tests;

import io.aierr.tests.apps.LangChain4jChatApp;
import io.aierr.tests.apps.RetryLoopApp;
import io.aierr.tests.apps.RetryingInterceptorApp;
import io.aierr.tests.apps.SpringAiChatApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real frameworks that retry on their own, each run with aierr and without it against the same
 * scripted servers (persistent 503, 450 and 529, a spent quota, and 429, 429, then 200). aierr
 * must never make such an app worse: the server sees no more requests than the larger of aierr's
 * attempts and the app's own, the app gets the exception type it gets without aierr, and the only
 * change in outcome is a later success where aierr's retries can reach it.
 */
class SelfRetryingAppsTest {
    /** aierr's attempts per call (its default, stated so the bound below does not move with it). */
    private static final int MAX_ATTEMPTS = 5;
    private static final List<String> OUTAGES = List.of("unavailable", "queue_full", "overloaded", "quota");
    private static final Queue<String> TABLE = new ConcurrentLinkedQueue<>();

    /** What a provider's server says in each scenario. */
    enum Wire {
        OPENAI("openai", Bodies.CHAT_COMPLETION, Bodies.OPENAI_OVERLOADED,
                Reply.status(429).json(Bodies.OPENAI_INSUFFICIENT_QUOTA),
                Reply.status(429).header("retry-after-ms", "20").json(Bodies.OPENAI_RATE_LIMIT)),
        // a spent credit as a 429: Anthropic sends it as a 400, which no framework retries
        ANTHROPIC("anthropic", Bodies.ANTHROPIC_MESSAGE, Bodies.ANTHROPIC_OVERLOADED,
                Reply.status(429).json(Bodies.ANTHROPIC_CREDIT_TOO_LOW),
                Reply.status(429).json(Bodies.ANTHROPIC_RATE_LIMIT));

        final String provider;
        final String answer;
        final String overloaded;
        final Reply quota;
        final Reply rateLimited;

        Wire(String provider, String answer, String overloaded, Reply quota, Reply rateLimited) {
            this.provider = provider;
            this.answer = answer;
            this.overloaded = overloaded;
            this.quota = quota;
            this.rateLimited = rateLimited;
        }
    }

    /** The apps, each with the requests it sends on its own for a persistent 503. */
    enum App {
        LANGCHAIN4J_OPENAI("LangChain4j OpenAiChatModel", LangChain4jChatApp.class, "/v1", Wire.OPENAI, 3,
                jvm -> langChain4j(jvm).arg("provider=openai")),
        LANGCHAIN4J_ANTHROPIC("LangChain4j AnthropicChatModel", LangChain4jChatApp.class, "/v1/", Wire.ANTHROPIC, 3,
                jvm -> langChain4j(jvm).arg("provider=anthropic")),
        SPRING_AI_OPENAI("Spring AI OpenAiChatModel (RestClient, JDK)", SpringAiChatApp.class, "", Wire.OPENAI, 10,
                SelfRetryingAppsTest::springAi),
        OKHTTP_RETRY_INTERCEPTOR("OkHttp 4 retrying app interceptor", RetryingInterceptorApp.class,
                "/v1/chat/completions", Wire.OPENAI, 5, jvm -> jvm.jarsIn(OkHttpClientTest.OkHttp.V4.jars())),
        JDK_RETRY_LOOP("java.net.http loop, 3 retries on 503", RetryLoopApp.class, "/v1/chat/completions",
                Wire.OPENAI, 4, jvm -> jvm);

        final String title;
        final Class<?> main;
        final String path;
        final Wire wire;
        final int ownTriesOn503;
        final UnaryOperator<ForkedJvm> libraries;

        App(String title, Class<?> main, String path, Wire wire, int ownTriesOn503,
            UnaryOperator<ForkedJvm> libraries) {
            this.title = title;
            this.main = main;
            this.path = path;
            this.wire = wire;
            this.ownTriesOn503 = ownTriesOn503;
            this.libraries = libraries;
        }

        ScenarioTable scenarios() {
            Reply answer = Reply.status(200).json(wire.answer);
            return new ScenarioTable(path, wire.provider)
                    .scenario("unavailable", s -> s.then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM)))
                    .scenario("queue_full", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)))
                    .scenario("overloaded", s -> s.then(Reply.status(529).json(wire.overloaded)))
                    .scenario("quota", s -> s.then(wire.quota))
                    .scenario("recovers", s -> s.then(wire.rateLimited).then(wire.rateLimited).then(answer));
        }
    }

    private static ForkedJvm langChain4j(ForkedJvm jvm) {
        for (String jar : List.of("langchain4j-", "jackson-", "jtokkit", "slf4j-api")) {
            jvm.library(jar);
        }
        return jvm;
    }

    private static ForkedJvm springAi(ForkedJvm jvm) {
        for (String jar : List.of("spring-ai-", "spring-retry", "spring-core", "spring-jcl", "spring-beans",
                "spring-context", "spring-aop", "spring-expression", "spring-web", "spring-messaging", "micrometer-",
                "context-propagation", "reactor-core", "reactive-streams", "jackson-", "jsonschema-", "classmate",
                "swagger-annotations", "ST4", "antlr", "validation-api", "HdrHistogram", "LatencyUtils", "slf4j-api")) {
            jvm.library(jar);
        }
        return jvm;
    }

    /** What the app got: the exception its code caught, the answer, or the status it ended with. */
    private static String outcome(Played played, String scenario) {
        String exception = played.value(scenario, "exception");
        if (exception != null) {
            return exception;
        }
        String content = played.value(scenario, "content");
        if (content != null) {
            return "answer " + content;
        }
        String status = played.value(scenario, "status");
        return status != null ? "status " + status : "nothing printed";
    }

    /** The refusal header aierr put on the final response, where the app can show it. */
    private static String refusal(Played played, String scenario) {
        String refused = played.value(scenario, "refused");
        return refused == null ? "" : " (x-aierr-refused: " + refused + ")";
    }

    private static String shortly(String outcome) {
        return outcome.substring(outcome.lastIndexOf('.') + 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(App.class)
    void neverWorseThanTheAppAlone(App app) throws Exception {
        ScenarioTable scenarios = app.scenarios();
        // the control runs beside aierr's run (each on its own servers): LangChain4j's fixed 0.5 s backoff
        // dominates the wall time, and only counts and outcomes are asserted
        CompletableFuture<Played> control = CompletableFuture.supplyAsync(() -> play(scenarios, app, false));
        Played with = play(scenarios, app, true);
        Played without = control.join();

        List<Executable> checks = new ArrayList<>();
        // the premise: on its own the app retries a 503 as many times as it says
        checks.add(() -> assertEquals(app.ownTriesOn503, without.requests("unavailable").size(),
                "requests without aierr, persistent 503"));
        for (String scenario : List.of("unavailable", "queue_full", "overloaded", "quota", "recovers")) {
            int withCount = with.requests(scenario).size();
            int withoutCount = without.requests(scenario).size();
            String row = String.format("| %s | %s | %d | %s | %s | %d | %s | %s |", app.title, scenario,
                    withoutCount, shortly(outcome(without, scenario)), without.value(scenario, "elapsed.ms"),
                    withCount, shortly(outcome(with, scenario)) + refusal(with, scenario),
                    with.value(scenario, "elapsed.ms"));
            System.out.println(row);
            TABLE.add(row);
            if (OUTAGES.contains(scenario)) {
                int bound = Math.max(MAX_ATTEMPTS, withoutCount);
                checks.add(() -> assertTrue(withCount <= bound, scenario + ": the server saw " + withCount
                        + " requests with aierr, more than max(max-attempts, the app's own " + withoutCount + ")"));
                checks.add(() -> assertEquals(outcome(without, scenario), outcome(with, scenario),
                        scenario + ": what the app got with aierr, against without"));
            }
        }
        // every app's body can be sent again (Spring's fromPublisher body is captured on its first send)
        checks.add(() -> assertEquals("answer Hello!", outcome(with, "recovers"), "recovers: 429, 429, then 200"));
        checks.add(() -> assertEquals(3, with.requests("recovers").size(), "recovers: requests with aierr"));
        assertAll(app.title + "\n=== with aierr: " + with + "\n=== without aierr: " + without, checks);
    }

    private static Played play(ScenarioTable scenarios, App app, boolean agent) {
        try {
            return scenarios.play(app.main, jvm -> app.libraries.apply(jvm.agent(agent)
                    .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                    .property("aierr.retry.initial-backoff", "20ms")
                    .property("aierr.retry.max-backoff", "200ms")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void printTable() {
        // times are for the reader only; the test asserts counts and outcomes
        System.out.println("| app | scenario | requests without aierr | app got | ms | requests with aierr | app got | ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        TABLE.forEach(System.out::println);
    }
}
