package io.aierr.tests;

import io.aierr.tests.apps.StreamingApp;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.aierr.tests.StreamsTest.GOOD;
import static io.aierr.tests.StreamsTest.PATH;
import static io.aierr.tests.StreamsTest.RATE_LIMITED_FIRST;
import static io.aierr.tests.StreamsTest.clients;
import static io.aierr.tests.StreamsTest.openAiShapes;
import static io.aierr.tests.StreamsTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bound of the first-event hold, through every raw client, and the setting that turns it off. */
class StreamHoldTest {
    /**
     * The server sends a comment and half an event, then waits until the app has read something: the
     * hold's wait is over first, and the app gets what came, then the rest, unheld. Were the hold
     * unbounded, the server would wait in vain ({@code restWaitedForTheApp} false).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk-lines", "jdk-stream", "jdk-async", "okhttp-execute", "okhttp-enqueue", "hc5-async"})
    void aFirstEventThatDoesNotComeWithinTheWaitIsNotWaitedFor(String client) throws Exception {
        List<String> stalled = List.of(": keep-alive\ndata: {\"id\":\"c1\",", GOOD.get(0).substring(17), GOOD.get(1),
                GOOD.get(2));
        Played played = new ScenarioTable(PATH)
                .scenario("stalled", s -> s.then(Reply.status(200).streamedUntilRead(stalled, "text/event-stream")),
                        "client=" + client)
                .play(StreamingApp.class, jvm -> clients(jvm).property("aierr.stream.first-event-wait", "300ms"));
        assertEquals(sha256(stalled), played.value("stalled", "body.sha256"), played.toString());
        assertEquals(String.join("", GOOD), String.join("", stalled).substring(13), "the test's own stream");
        assertTrue(played.requests("stalled").get(0).restWaitedForTheApp, played.toString());
    }

    @Test
    void noHoldWhenTheWaitIsZero() throws Exception {
        Played played = openAiShapes("jdk-stream")
                .play(StreamingApp.class, jvm -> clients(jvm).property("aierr.stream.first-event-wait", "0"));
        assertEquals(sha256(RATE_LIMITED_FIRST), played.value("retried", "body.sha256"), played.toString());
        assertEquals(1, played.requests("retried").size());
    }

}
