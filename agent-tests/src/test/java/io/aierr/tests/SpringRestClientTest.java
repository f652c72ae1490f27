package io.aierr.tests;

import io.aierr.tests.apps.SpringRestClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import org.junit.jupiter.api.Test;

import static io.aierr.tests.ApacheClientScenarios.MAX_ATTEMPTS;
import static io.aierr.tests.ApacheClientScenarios.PATH;
import static io.aierr.tests.ApacheClientScenarios.RATE_LIMITED_TWICE;
import static io.aierr.tests.ApacheClientScenarios.UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A real framework on HttpClient 5: Spring's RestClient on HttpComponentsClientHttpRequestFactory. */
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
}
