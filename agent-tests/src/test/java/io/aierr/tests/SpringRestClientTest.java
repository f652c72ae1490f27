package io.aierr.tests;

import io.aierr.tests.apps.SpringRestClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import org.junit.jupiter.api.Test;

import static io.aierr.tests.ApacheClientScenarios.ABOVE_REPLAY_LIMIT;
import static io.aierr.tests.ApacheClientScenarios.MAX_ATTEMPTS;
import static io.aierr.tests.ApacheClientScenarios.PATH;
import static io.aierr.tests.ApacheClientScenarios.RATE_LIMITED_TWICE;
import static io.aierr.tests.ApacheClientScenarios.RATE_LIMITED_TWICE_BRIEFLY;
import static io.aierr.tests.ApacheClientScenarios.UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A real framework on HttpClient 5 and on the JDK client: Spring's RestClient on its two request factories. */
class SpringRestClientTest {
    private static ForkedJvm spring(ForkedJvm jvm) {
        return Hc5ClassicClientTest.httpClient5(jvm).library("spring-web").library("spring-core")
                .library("spring-beans").library("spring-jcl").library("micrometer-");
    }

    @Test
    void restClientCallsAreRetriedTransparently() throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("rate_limited", RATE_LIMITED_TWICE)
                .scenario("unavailable", UNAVAILABLE);
        Played with = table.play(SpringRestClientApp.class, jvm -> spring(jvm)
                .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                .property("aierr.retry.initial-backoff", "20ms"));
        assertEquals("200", with.value("rate_limited", "status"), with.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.value("rate_limited", "body"));
        assertEquals(3, with.requests("rate_limited").size());
        assertEquals("503", with.value("unavailable", "status"));
        assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", with.value("unavailable", "body"));
        assertEquals(MAX_ATTEMPTS, with.requests("unavailable").size(), "the client's own 503 retry adds nothing");
        assertEquals("0", with.value("rate_limited", "leased"));

        Played without = table.play(SpringRestClientApp.class, jvm -> spring(jvm).agent(false));
        assertEquals("429", without.value("rate_limited", "status"), without.toString());
        assertEquals(2, without.requests("unavailable").size(), "HttpClient 5 alone retries a 503 once");
    }

    /**
     * On JdkClientHttpRequestFactory Spring streams the body through BodyPublishers.fromPublisher,
     * which the JDK client cannot re-create: aierr replays the copy it made on the first send.
     */
    @Test
    void restClientOnTheJdkClientIsRetriedWithItsBodyReplayed() throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("rate_limited", RATE_LIMITED_TWICE_BRIEFLY, "factory=jdk")
                .scenario("large_body", RATE_LIMITED_TWICE_BRIEFLY, "factory=jdk", "request-size=300000")
                .scenario("above_replay_limit", RATE_LIMITED_TWICE_BRIEFLY, "factory=jdk",
                        "request-size=" + ABOVE_REPLAY_LIMIT);
        Played with = table.play(SpringRestClientApp.class, SpringRestClientTest::spring);
        for (String s : new String[] {"rate_limited", "large_body"}) {
            assertEquals("200", with.value(s, "status"), with.toString());
            assertEquals(Bodies.CHAT_COMPLETION, with.value(s, "body"));
            assertEquals(3, with.requests(s).size());
            ApacheClientScenarios.assertSameBodyEachTime(with, s);
        }
        assertEquals("429", with.value("above_replay_limit", "status"), with.toString());
        assertEquals(1, with.requests("above_replay_limit").size());

        Played without = table.play(SpringRestClientApp.class, jvm -> spring(jvm).agent(false));
        for (String s : new String[] {"rate_limited", "large_body", "above_replay_limit"}) {
            assertEquals("429", without.value(s, "status"), without.toString());
            assertEquals(1, without.requests(s).size());
            ApacheClientScenarios.assertSameBodyEachTime(without, s);
        }
    }
}
