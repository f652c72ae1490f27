package io.aierr.core.retry;

import io.aierr.core.EndpointMatcher;
import io.aierr.core.Headers;
import io.aierr.core.Telemetry;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.limits.EndpointPolicy;
import io.aierr.core.limits.Refusal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlockingRetriesTest {
    private static final AiCalls CALLS = new AiCalls(EndpointMatcher.create(List.of(), null),
            new RetryPolicy(true, Set.of(429, 503), 3, 10, 100, 10_000, bound -> bound),
            new EndpointPolicy(true, true, true, -1, 0, 0, 30_000), Telemetry.NONE);

    /** A scripted response; {@code body} is what the app finally reads. */
    private static final class Response {
        final int status;
        final String text;
        /** When set, the body breaks with it after {@link #text}. */
        final IOException breaksWith;
        String body;
        /** The body handed to the app, when it breaks: the app reads it itself. */
        InputStream content;

        Response(int status, String text) {
            this(status, text, null);
        }

        Response(int status, String text, IOException breaksWith) {
            this.status = status;
            this.text = text;
            this.breaksWith = breaksWith;
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
        public Response send(String traceparent, Verdict verdict) throws IOException {
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
        public PeekedBody peek(Response response) {
            return PeekedBody.read(() -> body(response), AiCall.PEEK_LIMIT);
        }

        private InputStream body(Response response) {
            InputStream text = new ByteArrayInputStream(response.text.getBytes(StandardCharsets.UTF_8));
            if (response.breaksWith == null) {
                return text;
            }
            return new SequenceInputStream(text, new InputStream() {
                @Override
                public int read() throws IOException {
                    throw response.breaksWith;
                }
            });
        }

        @Override
        public Response withBody(Response response, InputStream content) {
            log.add("deliver " + response.status);
            if (response.breaksWith != null) {
                response.content = content;
                return response;
            }
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
        public Response settled(Response response) {
            log.add("settled " + response.status);
            return response;
        }

        @Override
        public Response answer(Refusal refusal) {
            log.add("answered " + refusal.headers().get(Refusal.REFUSED_HEADER));
            Response r = new Response(refusal.answer.status, new String(refusal.answer.body, StandardCharsets.UTF_8));
            r.body = r.text;
            return r;
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
        assertEquals(List.of("send", "deliver 429"), oneShot.log);

        AiCall captured = oneShotBodyCall("captured.example");
        ScriptedExchange capturing = new ScriptedExchange() {
            @Override
            public Response send(String traceparent, Verdict verdict) throws IOException {
                captured.bodyCaptured(); // as a client's capturing body does when it was sent to its end
                return super.send(traceparent, verdict);
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

    /** A call to an endpoint of its own, so that no other test's answers are in its limits. */
    private static AiCall call(String body) {
        return CALLS.begin("openai", "POST", URI.create("https://resend.example/v1/chat/completions"), null,
                body.getBytes(StandardCharsets.UTF_8), true, 0, null);
    }

    @Test
    void anAppsResendOfASettledRequestContinuesItsCallAndIsAnsweredWithoutSending() throws IOException {
        String prompt = "{\"model\":\"m\",\"messages\":[\"resend window\"]}";
        ScriptedExchange first = new ScriptedExchange().then(new Response(503, "down #1")).then(new Response(503, "down #2"))
                .then(new Response(503, "down #3"));
        assertEquals("down #3", BlockingRetries.run(call(prompt), first).body);

        ScriptedExchange resend = new ScriptedExchange();
        Response answered = BlockingRetries.run(call(prompt), resend);
        assertEquals(List.of("answered settled"), resend.log, "no attempt is left, so nothing is sent");
        assertEquals(503, answered.status);
        assertEquals("down #3", answered.body, "a copy of the settled answer");

        ScriptedExchange other = new ScriptedExchange().then(new Response(200, "ok"));
        assertEquals(200, BlockingRetries.run(call(prompt + " "), other).status, "another request is sent");
        ScriptedExchange afterRecovery = new ScriptedExchange().then(new Response(200, "ok"));
        BlockingRetries.run(call(prompt), afterRecovery);
        assertEquals(List.of("send"), afterRecovery.log, "a success on the endpoint ends the window");
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

    @Test
    void aBodyThatBreaksIsNeverRetriedAndBreaksForTheAppAtTheSamePoint() throws IOException {
        IOException eof = new IOException("premature end of body");
        byte[] came = "{\"error\":{\"mess".getBytes(StandardCharsets.UTF_8);
        ScriptedExchange exchange = new ScriptedExchange().then(new Response(503, "{\"error\":{\"mess", eof))
                .then(new Response(200, "ok"));
        Response r = BlockingRetries.run(call(), exchange);
        assertEquals(503, r.status, "the status first, as without aierr");
        assertEquals(1, exchange.log.stream().filter("send"::equals).count(), "one send: " + exchange.log);
        assertEquals("deliver 503", exchange.log.get(exchange.log.size() - 1), "nothing discarded: " + exchange.log);
        assertArrayEquals(came, r.content.readNBytes(came.length));
        assertSame(eof, assertThrows(IOException.class, () -> r.content.read()), "then the client's own read error");
    }

    @Test
    void aClientThatWouldHaveFailedOnABrokenBodyFailsTheSameWay() {
        IOException eof = new IOException("premature end of body");
        ScriptedExchange exchange = new ScriptedExchange() {
            @Override
            public Response withBrokenBody(Response response, InputStream content, IOException failure)
                    throws IOException {
                log.add("release " + response.status);
                throw failure;
            }
        }.then(new Response(429, "{", eof));
        assertSame(eof, assertThrows(IOException.class, () -> BlockingRetries.run(call(), exchange)));
        assertEquals(1, exchange.log.stream().filter("send"::equals).count());
        assertEquals("release 429", exchange.log.get(exchange.log.size() - 1), "nothing discarded: " + exchange.log);
    }

    @Test
    void aBrokenBodyIsGivenUpNotSettled() {
        AiCall call = call();
        call.admit();
        call.beginAttempt();
        RetryDecision decision = call.onErrorResponse(new ErrorResponse("POST", call.info().url, 429, Headers.EMPTY,
                new byte[0], false, true, System.currentTimeMillis()));
        assertFalse(decision.retry, "a retry could end differently from what the app would have met");
        assertFalse(decision.settled, "the client and the app may do what they would without aierr");
    }

    @Test
    void aClientThatJudgesWhileReceivingIsNeverAskedToPeekAndEachStepHasItsState() throws IOException {
        AiCall call = call();
        List<AiCall.State> seen = new ArrayList<>();
        ScriptedExchange receiving = new ScriptedExchange() {
            @Override
            public Response send(String traceparent, Verdict verdict) throws IOException {
                seen.add(call.state());
                Response r = super.send(traceparent, verdict);
                if (r.status >= 400) {
                    verdict.judge(r.status, Headers.EMPTY, r.text.getBytes(StandardCharsets.UTF_8), false, false);
                }
                return r;
            }

            @Override
            public PeekedBody peek(Response response) {
                throw new AssertionError("peeked although judged");
            }

            @Override
            public void pause(long millis) throws IOException {
                seen.add(call.state());
                super.pause(millis);
            }
        }.then(new Response(503, "#1")).then(new Response(503, "#2")).then(new Response(503, "#3"));
        assertEquals(503, BlockingRetries.run(call, receiving).status);
        assertEquals(List.of("send", "discard 503", "pause", "send", "discard 503", "pause", "send", "settled 503"),
                receiving.log, "spent attempts settle the last answer");
        assertEquals(List.of(AiCall.State.SENDING, AiCall.State.WAITING, AiCall.State.SENDING, AiCall.State.WAITING,
                AiCall.State.SENDING), seen);
        assertEquals(AiCall.State.ENDED, call.state());
        assertEquals(3, call.attempts());
    }

    @Test
    void aCancelledCallsFailureEndsItAsTheClientReportsIt() {
        AiCall call = call();
        IOException canceled = new IOException("Canceled");
        ScriptedExchange cancelled = new ScriptedExchange() {
            @Override
            public boolean cancelled() {
                return true;
            }
        }.then(canceled);
        assertSame(canceled, assertThrows(IOException.class, () -> BlockingRetries.run(call, cancelled)));
        assertEquals(AiCall.State.ENDED, call.state());
    }

    @Test
    void passingFailuresAreRetriedSoonAfterRecentSuccessesAndBackedOffInFullWithoutAny() throws IOException {
        AiCalls calls = new AiCalls(EndpointMatcher.create(List.of(), null),
                new RetryPolicy(true, Set.of(503), 3, 10, 100, 10_000, bound -> bound).backingOffIsolatedFrom(2),
                new EndpointPolicy(false, false, false, -1, 0, 0, 30_000), Telemetry.NONE);
        URI uri = URI.create("https://isolated.example/v1/chat/completions");
        List<Long> pauses = new ArrayList<>();
        class Pausing extends ScriptedExchange {
            /** Another call to the endpoint succeeds while the first attempt is under way. */
            final boolean othersSucceedMeanwhile;

            Pausing(boolean othersSucceedMeanwhile) {
                this.othersSucceedMeanwhile = othersSucceedMeanwhile;
            }

            @Override
            public Response send(String traceparent, Verdict verdict) throws IOException {
                if (othersSucceedMeanwhile && log.isEmpty()) {
                    BlockingRetries.run(calls.begin("openai", "POST", uri, null, null, true, 0, null),
                            new ScriptedExchange().then(new Response(200, "someone else's")));
                }
                return super.send(traceparent, verdict);
            }

            @Override
            public void pause(long millis) throws IOException {
                pauses.add(millis);
                super.pause(millis);
            }
        }
        BlockingRetries.run(calls.begin("openai", "POST", uri, null, null, true, 0, null), new Pausing(false)
                .then(new Response(503, "cold")).then(new Response(503, "again")).then(new Response(200, "ok")));
        for (int i = 0; i < 20; i++) {
            BlockingRetries.run(calls.begin("openai", "POST", uri, null, null, true, 0, null),
                    new ScriptedExchange().then(new Response(200, "ok")));
        }
        BlockingRetries.run(calls.begin("openai", "POST", uri, null, null, true, 0, null), new Pausing(false)
                .then(new Response(503, "alone")).then(new Response(503, "again")).then(new Response(200, "ok")));
        BlockingRetries.run(calls.begin("openai", "POST", uri, null, null, true, 0, null), new Pausing(true)
                .then(new Response(503, "among good answers")).then(new Response(503, "again")).then(new Response(200, "ok")));
        assertEquals(List.of(10L, 20L, 2L, 2L, 2L, 2L), pauses, "a cold start: the initial backoff, doubled;"
                + " within a second of good answers the isolated one, twice in a row alone too; among good"
                + " answers the isolated one");
    }
}
