package io.aierr.tests;

import io.aierr.tests.apps.SdkStreamingApp;
import io.aierr.tests.apps.StreamingApp;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the first-event hold costs the app: a server that answers at once and sends its first event
 * 200 ms later, each client once in verify, with and without aierr. The bytes and the requests are
 * asserted at every round; the times to the app's first byte (or first delta) are only printed, as
 * a table for the README: the hold may add at most the time to the server's first event, which the
 * app waits for anyway. {@code -Dlatency.rounds=N} (bench/first-byte.sh) calls each client N times
 * in one JVM: the first call warms it, the table shows the others.
 */
class FirstByteLatencyTest {
    private static final List<String> RAW = List.of("jdk-lines", "jdk-stream", "jdk-async", "okhttp-execute",
            "okhttp-enqueue", "okhttp-sse", "hc5-async");
    private static final List<String> SDKS = List.of("openai", "langchain4j");
    private static final int ROUNDS = Integer.getInteger("latency.rounds", 1);
    /** No bytes with the headers, then the first event 200 ms later. */
    private static final List<String> DELAYED = new ArrayList<>(List.of(""));

    static {
        DELAYED.addAll(StreamsTest.GOOD);
    }

    private static ScenarioTable table(String path, List<String> clients) {
        ScenarioTable table = new ScenarioTable(path);
        for (String client : clients) {
            for (int round = 1; round <= ROUNDS; round++) {
                table.scenario(client + "-" + round, s -> s.then(Reply.status(200).streamed(DELAYED, 200,
                        "text/event-stream")), "client=" + client);
            }
        }
        return table;
    }

    private static ForkedJvm sdks(ForkedJvm jvm) {
        for (String jar : List.of("openai-java", "okhttp-4.12.0", "okio", "kotlin", "annotations-13", "jackson",
                "jsonschema", "classmate", "slf4j", "swagger", "error_prone", "langchain4j-", "jtokkit")) {
            jvm.library(jar);
        }
        return jvm;
    }

    @Test
    void theHoldAddsAtMostTheWaitForTheServersFirstEvent() throws Exception {
        StringBuilder report = new StringBuilder("| client | first byte without aierr | with aierr |\n|---|---|---|\n");
        measure(report, table(StreamsTest.PATH, RAW), StreamingApp.class, RAW, StreamsTest::clients, true);
        measure(report, table("/v1", SDKS), SdkStreamingApp.class, SDKS, FirstByteLatencyTest::sdks, false);
        System.out.println("first byte after a 200 ms wait for the server's first event (ms):\n" + report);
    }

    private static void measure(StringBuilder report, ScenarioTable table, Class<?> app, List<String> clients,
                                UnaryOperator<ForkedJvm> libraries, boolean raw) throws Exception {
        Played without = table.play(app, jvm -> libraries.apply(jvm).withoutAgent());
        Played with = table.play(app, libraries);
        String key = raw ? "body.sha256" : "content";
        for (String client : clients) {
            List<String> timesWithout = new ArrayList<>();
            List<String> timesWith = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                String scenario = client + "-" + round;
                assertEquals(without.value(scenario, key), with.value(scenario, key), with + "\n" + without);
                assertEquals(1, with.requests(scenario).size(), with.toString());
                // with more than one round, the first only warms the JVM
                if (round > 1 || ROUNDS == 1) {
                    timesWithout.add(without.value(scenario, "first-byte.ms"));
                    timesWith.add(with.value(scenario, "first-byte.ms"));
                }
            }
            report.append("| ").append(client).append(" | ").append(String.join(", ", timesWithout))
                    .append(" | ").append(String.join(", ", timesWith)).append(" |\n");
        }
    }
}
