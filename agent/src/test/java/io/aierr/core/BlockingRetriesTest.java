package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlockingRetriesTest {
    private static final AiCalls CALLS = new AiCalls(EndpointMatcher.create(List.of(), null),
            new RetryPolicy(true, Set.of(429, 503), 3, 10, 100, 10_000, bound -> bound),
            new EndpointPolicy(true, true, -1, 0, 0), Telemetry.NONE);

    /** A scripted response; {@code body} is what the app finally reads. */
    private static final class Response {
        final int status;
        final String text;
        String body;

        Response(int status, String text) {
            this.status = status;
            this.text = text;
        }
    }

    /** A client that answers from a script and records what the loop did with it. */
    private static class ScriptedExchange implements BlockingRetries.Exchange<Response, IOException> {
        final Deque<Object> script = new ArrayDeque<>();
        final List<String> log = new ArrayList<>();

        ScriptedExchange then(Object responseOrFailure) {
            script.add(responseOrFailure);
            return this;
        }

        @Override
        public Response send(String traceparent) throws IOException {
            Object next = script.remove();
            log.add("send");
            if (next instanceof IOException) {
                throw (IOException) next;
            }
            return (Response) next;
        }

        @Override
        public int status(Response response) {
            return response.status;
        }

        @Override
        public Headers headers(Response response) {
            return Headers.of(Map.of());
        }

        @Override
        public InputStream body(Response response) {
            return new ByteArrayInputStream(response.text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Response withBody(Response response, InputStream content) {
            try {
                response.body = new String(content.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return response;
        }

        @Override
        public void discard(Response response) {
            log.add("discard " + response.status);
        }

        @Override
        public void pause(long millis) throws IOException {
            log.add("pause");
            if (script.peek() instanceof InterruptedIOException) {
                throw (InterruptedIOException) script.remove();
            }
        }
    }

    private static AiCall call() {
        return CALLS.begin("openai", "POST", URI.create("https://api.openai.com/v1/chat/completions"), null, null, true,
                0, null);
    }

    /** A call to an endpoint of its own, whose rate gate no other test has fed. */
    private static AiCall oneShotBodyCall(String host) {
        return CALLS.begin("openai", "POST", URI.create("https://" + host + "/v1/chat/completions"), null, null, false,
                0, null);
    }

    @Test
    void aBodyThatCannotBeSentAgainIsRetriedOnlyOnceCapturedWhole() throws IOException {
        ScriptedExchange oneShot = new ScriptedExchange().then(new Response(429, "slow")).then(new Response(200, "ok"));
        assertEquals(429, BlockingRetries.run(oneShotBodyCall("one-shot.example"), oneShot).status);
        assertEquals(List.of("send"), oneShot.log);

        AiCall captured = oneShotBodyCall("captured.example");
        ScriptedExchange capturing = new ScriptedExchange() {
            @Override
            public Response send(String traceparent) throws IOException {
                captured.bodyCaptured(); // as a client's capturing body does when it was sent to its end
                return super.send(traceparent);
            }
        }.then(new Response(429, "slow")).then(new Response(200, "ok"));
        assertEquals(200, BlockingRetries.run(captured, capturing).status);
        assertEquals(List.of("send", "discard 429", "pause", "send"), capturing.log);
    }

    @Test
    void retriesUntilSuccessDroppingEachRetriedResponse() throws IOException {
        ScriptedExchange exchange = new ScriptedExchange().then(new Response(503, "busy")).then(new Response(429, "slow"))
                .then(new Response(200, "ok"));
        Response r = BlockingRetries.run(call(), exchange);
        assertEquals(200, r.status);
        assertEquals(List.of("send", "discard 503", "pause", "send", "discard 429", "pause", "send"), exchange.log);
    }

    @Test
    void theFinalErrorReachesTheAppWithItsWholeBody() throws IOException {
        ScriptedExchange exchange = new ScriptedExchange().then(new Response(503, "#1")).then(new Response(503, "#2"))
                .then(new Response(503, "#3"));
        Response r = BlockingRetries.run(call(), exchange);
        assertEquals("#3", r.body);
        assertEquals(3, exchange.log.stream().filter("send"::equals).count(), "max-attempts 3");

        Response bad = BlockingRetries.run(call(), new ScriptedExchange().then(new Response(400, "{\"error\":{}}")));
        assertEquals("{\"error\":{}}", bad.body);
    }

    @Test
    void failuresAndInterruptsReachTheAppAsTheClientThrowsThem() {
        IOException refused = new IOException("connection refused");
        assertSame(refused, assertThrows(IOException.class,
                () -> BlockingRetries.run(call(), new ScriptedExchange().then(refused))));
        InterruptedIOException interrupted = new InterruptedIOException();
        assertSame(interrupted, assertThrows(IOException.class,
                () -> BlockingRetries.run(call(), new ScriptedExchange().then(new Response(429, "x")).then(interrupted))));
    }
}
