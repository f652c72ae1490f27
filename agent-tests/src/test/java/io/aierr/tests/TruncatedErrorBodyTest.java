package io.aierr.tests;

import io.aierr.tests.apps.Hc4ClientApp;
import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.apps.JdkTableApp;
import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An error response whose body breaks mid-way ({@code Content-Length: 4096}, 120 bytes, then the
 * connection closes) reaches the app as it would without aierr: the status when the client shows
 * one before the body, then the client's own read error, after the same bytes. Every client plays
 * the same table with and without the agent; each row must end the same way (status seen or not,
 * the exception's class, the bytes read before it) after the same number of requests.
 */
class TruncatedErrorBodyTest {
    private static final String PATH = "/v1/chat/completions";
    private static final int SENT = 120;
    private static final int DECLARED = 4096;

    /** A 400 whose JSON is cut before it says why. */
    static final Consumer<ScriptedAiServer> BAD_REQUEST = s -> s.then(cut(400, Bodies.OPENAI_CONTEXT_LENGTH));
    /** A 503, retried by aierr (and by HttpClient 5 on its own) had its body come whole. */
    static final Consumer<ScriptedAiServer> UNAVAILABLE = s -> s.then(cut(503,
            "{\"error\":{\"message\":\"The engine is currently overloaded, please try again later. "
                    + "We are working on it and apologise for the trouble.\",\"type\":\"server_error\","
                    + "\"param\":null,\"code\":null}}"));

    private static Reply cut(int status, String json) {
        byte[] whole = json.getBytes(StandardCharsets.UTF_8);
        return Reply.status(status).bytes(Arrays.copyOf(whole, SENT), "application/json").cutShort(DECLARED);
    }

    /** Each client, its app, its class path and the calls it makes against both scripts. */
    enum Client {
        JDK(JdkTableApp.class, jvm -> jvm,
                "mode=send handler=stream read=counted", "mode=send handler=string",
                "mode=async handler=stream read=counted", "mode=async handler=string"),
        OKHTTP_3(OkHttpClientApp.class, okhttp("3"), "mode=execute read=counted", "mode=enqueue read=counted"),
        OKHTTP_4(OkHttpClientApp.class, okhttp("4"), "mode=execute read=counted", "mode=enqueue read=counted"),
        OKHTTP_5(OkHttpClientApp.class, okhttp("5"), "mode=execute read=counted", "mode=enqueue read=counted"),
        HC4(Hc4ClientApp.class, jvm -> jvm.library("httpclient-4").library("httpcore-4").library("commons-logging")
                .library("commons-codec"), "mode=open read=counted", "mode=handler read=counted"),
        HC5_CLASSIC(Hc5ClassicApp.class, Hc5ClassicClientTest::httpClient5,
                "mode=open read=counted", "mode=handler read=counted"),
        HC5_ASYNC(Hc5AsyncApp.class, Hc5ClassicClientTest::httpClient5, "api=simple", "api=stream");

        final Class<?> app;
        final UnaryOperator<ForkedJvm> libraries;
        final List<String> calls;

        Client(Class<?> app, UnaryOperator<ForkedJvm> libraries, String... calls) {
            this.app = app;
            this.libraries = libraries;
            this.calls = List.of(calls);
        }

        private static UnaryOperator<ForkedJvm> okhttp(String major) {
            Path jars = Paths.get(System.getProperty("okhttp.libs", "target/okhttp"), major);
            return jvm -> jvm.jarsIn(jars);
        }
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aBodyThatBreaksEndsAsItWouldWithoutAierr(Client client) throws Exception {
        ScenarioTable table = new ScenarioTable(PATH);
        Map<String, String> rows = new LinkedHashMap<>();
        for (String call : client.calls) {
            String name = call.replace("mode=", "").replace("handler=", "").replace("api=", "")
                    .replace(" read=counted", "").replace(' ', '_');
            table.scenario(name + "_400", BAD_REQUEST, call.split(" "));
            table.scenario(name + "_503", UNAVAILABLE, call.split(" "));
            rows.put(name + "_400", call);
            rows.put(name + "_503", call);
        }
        // aierr retries the 503 when its body comes whole: a short first wait keeps a wrong retry cheap to see
        Played with = table.play(client.app, jvm -> client.libraries.apply(jvm)
                .property("aierr.retry.initial-backoff", "20ms"));
        Played without = table.play(client.app, jvm -> client.libraries.apply(jvm).agent(false));

        List<Executable> checks = new ArrayList<>();
        for (String row : rows.keySet()) {
            checks.add(() -> {
                String control = outcome(without, row);
                assertNotNull(without.value(row, "exception"), row + ": the break is seen without aierr\n" + without);
                assertEquals(control, outcome(with, row), row + " (" + rows.get(row) + ")\n" + with);
                assertEquals(without.requests(row).size(), with.requests(row).size(),
                        row + ": requests the server saw, without and with aierr");
            });
        }
        assertAll(client.name(), checks);
    }

    /**
     * What the app saw of one call: the status if any, the bytes read before the error, the error's
     * class, and the connections still leased once it is over.
     */
    private static String outcome(Played played, String row) {
        String exception = played.value(row, "exception");
        return "status=" + played.value(row, "status")
                + " read-before-failure=" + played.value(row, "read.before-failure")
                + " exception=" + (exception == null ? null : exception.split(":")[0])
                + " leased=" + played.value(row, "leased");
    }
}
