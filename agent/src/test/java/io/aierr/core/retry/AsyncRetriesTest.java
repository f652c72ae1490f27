package io.aierr.core.retry;

import io.aierr.core.EndpointMatcher;
import io.aierr.core.Headers;
import io.aierr.core.Telemetry;
import io.aierr.core.limits.EndpointPolicy;
import io.aierr.core.limits.Refusal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The async driver, run by a fake client that records what the driver asked of it. The test plays
 * the client's threads: it answers the attempt in flight and fires the timer when it wants to.
 */
class AsyncRetriesTest {
    private static final AiCalls CALLS = new AiCalls(EndpointMatcher.create(List.of(), null),
            new RetryPolicy(true, Set.of(429, 503), 3, 10, 100, 10_000, bound -> bound),
            new EndpointPolicy(true, true, true, -1, 0, 0, 30_000), Telemetry.NONE);

    /** A response as the fake client has it: a status and a body that may break after its text. */
    private static final class Response {
        final int status;
        final String text;
        final IOException breaksWith;

        Response(int status, String text, IOException breaksWith) {
            this.status = status;
            this.text = text;
            this.breaksWith = breaksWith;
        }

        Response(int status, String text) {
            this(status, text, null);
        }
    }

    /** The client's side: every request of the driver lands in {@link #log}. */
    private static class FakeClient implements AsyncRetries.Exchange<Response> {
        final List<String> log = new ArrayList<>();
        AsyncRetries<Response>.Attempt inFlight;
        Runnable timer;
        /** When set, the client judges error bodies as they come in, as the JDK and HttpClient 5 async do. */
        boolean judgesWhileReceiving;

        void answers(Response response) {
            AsyncRetries<Response>.Attempt attempt = inFlight;
            inFlight = null;
            if (judgesWhileReceiving && response.status >= 400) {
                attempt.verdict().judge(response.status, Headers.EMPTY, bytes(response.text), false, false);
            }
            attempt.responded(response);
        }

        void fails(Throwable failure) {
            AsyncRetries<Response>.Attempt attempt = inFlight;
            inFlight = null;
            attempt.failed(failure);
        }

        void timerFires() {
            Runnable due = timer;
            timer = null;
            due.run();
        }

        @Override
        public void send(String traceparent, AsyncRetries<Response>.Attempt attempt) {
            log.add("send");
            inFlight = attempt;
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
            log.add("peek " + response.status);
            InputStream text = new ByteArrayInputStream(bytes(response.text));
            return PeekedBody.read(() -> response.breaksWith == null ? text : new SequenceInputStream(text,
                    new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw response.breaksWith;
                        }
                    }), AiCall.PEEK_LIMIT);
        }

        @Override
        public Response withBrokenBody(Response response, InputStream content, IOException failure) {
            log.add("broken body " + response.status);
            return response;
        }

        @Override
        public Response settled(Response response) {
            log.add("settled " + response.status);
            return response;
        }

        @Override
        public void discard(Response response) {
            log.add("discard " + response.status);
        }

        @Override
        public void cancelInFlight() {
            log.add("cancel in flight");
        }

        @Override
        public void complete(Response response) {
            log.add("complete " + response.status);
        }

        @Override
        public void fail(Throwable failure) {
            log.add("fail " + failure.getClass().getSimpleName());
        }

        @Override
        public void answer(Refusal refusal) {
            log.add("answer " + refusal.headers().get(Refusal.REFUSED_HEADER));
        }

        @Override
        public void cancelledWhileWaiting() {
            log.add("told cancelled");
        }

        @Override
        public void after(long millis, Runnable send) {
            log.add("wait");
            timer = send;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static AiCall call(String host) {
        return CALLS.begin("openai", "POST", URI.create("https://" + host + "/v1/chat/completions"), null, null, true,
                0, null);
    }

    private static AsyncRetries<Response> started(AiCall call, FakeClient client) {
        AsyncRetries<Response> retries = new AsyncRetries<>(call, client);
        retries.proceed(retries.admit());
        client.timerFires();
        return retries;
    }

    @Test
    void retriesUntilSuccessDroppingEachRetriedResponseAndWaitingOnTheTimer() {
        AiCall call = call("async-retries.example");
        FakeClient client = new FakeClient();
        started(call, client);
        assertEquals(AiCall.State.SENDING, call.state());
        client.answers(new Response(503, "busy"));
        assertEquals(AiCall.State.WAITING, call.state());
        client.timerFires();
        client.answers(new Response(429, "slow"));
        client.timerFires();
        client.answers(new Response(200, "ok"));
        assertEquals(List.of("wait", "send", "peek 503", "discard 503", "wait", "send", "peek 429", "discard 429",
                "wait", "send", "complete 200"), client.log);
        assertEquals(AiCall.State.ENDED, call.state());
        assertEquals(3, call.attempts());
    }

    @Test
    void theLastErrorIsHandedOverSettledOnceTheAttemptsAreSpent() {
        AiCall call = call("async-spent.example");
        FakeClient client = new FakeClient();
        client.judgesWhileReceiving = true;
        started(call, client);
        client.answers(new Response(503, "#1"));
        client.timerFires();
        client.answers(new Response(503, "#2"));
        client.timerFires();
        client.answers(new Response(503, "#3"));
        assertEquals(List.of("wait", "send", "discard 503", "wait", "send", "discard 503", "wait", "send",
                "settled 503", "complete 503"), client.log, "a client that judged while receiving is never asked to peek");
        assertEquals(AiCall.State.ENDED, call.state());
    }

    @Test
    void aCancelWhileWaitingStopsTheCallAndNoAttemptFollows() {
        AiCall call = call("async-cancel-waiting.example");
        FakeClient client = new FakeClient();
        AsyncRetries<Response> retries = started(call, client);
        client.answers(new Response(429, "slow"));
        retries.cancel();
        assertEquals(AiCall.State.ENDED, call.state());
        client.timerFires();
        assertEquals(List.of("wait", "send", "peek 429", "discard 429", "wait", "cancel in flight", "told cancelled"),
                client.log);
        assertEquals(1, call.attempts());
    }

    @Test
    void aCancelReachesTheAttemptInFlightWhoseFailureEndsTheCall() {
        AiCall call = call("async-cancel-flight.example");
        FakeClient client = new FakeClient();
        AsyncRetries<Response> retries = started(call, client);
        retries.cancel();
        client.fails(new CancellationException());
        assertEquals(List.of("wait", "send", "cancel in flight", "fail CancellationException"), client.log);
        assertEquals(AiCall.State.ENDED, call.state());
    }

    @Test
    void aFirstAttemptTheClientSendsItselfIsBegunAndJudgedLikeAnyOther() {
        AiCall call = call("async-first.example");
        FakeClient client = new FakeClient();
        AsyncRetries<Response> retries = new AsyncRetries<>(call, client);
        assertEquals(0, retries.admit().waitMillis);
        client.inFlight = retries.sentByClient();
        assertEquals(AiCall.State.SENDING, call.state());
        client.answers(new Response(429, "slow"));
        client.timerFires();
        client.answers(new Response(200, "ok"));
        assertEquals(List.of("peek 429", "discard 429", "wait", "send", "complete 200"), client.log);
        assertEquals(2, call.attempts());
    }

    @Test
    void aBrokenErrorBodyIsHandedOverWithItsFailureNeverRetried() {
        AiCall call = call("async-broken.example");
        FakeClient client = new FakeClient();
        started(call, client);
        client.answers(new Response(503, "{\"error\":{\"mess", new IOException("premature end")));
        assertEquals(List.of("wait", "send", "peek 503", "broken body 503", "complete 503"), client.log);
        assertEquals(1, call.attempts());
    }

    @Test
    void aClientThatCannotTakeTheAttemptFailsTheCall() {
        AiCall call = call("async-refused-send.example");
        FakeClient client = new FakeClient() {
            @Override
            public void send(String traceparent, AsyncRetries<Response>.Attempt attempt) {
                throw new IllegalStateException("client closed");
            }
        };
        started(call, client);
        assertEquals(List.of("wait", "fail IllegalStateException"), client.log);
        assertEquals(AiCall.State.ENDED, call.state());
    }

    @Test
    void aResendOfASettledRequestIsAnsweredWithoutSending() {
        byte[] prompt = bytes("{\"model\":\"m\",\"messages\":[\"async resend\"]}");
        FakeClient first = new FakeClient();
        started(CALLS.begin("openai", "POST", URI.create("https://async-resend.example/v1/x"), null, prompt, true, 0,
                null), first);
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                first.timerFires();
            }
            first.answers(new Response(503, "down"));
        }
        FakeClient resend = new FakeClient();
        AsyncRetries<Response> retries = new AsyncRetries<>(CALLS.begin("openai", "POST",
                URI.create("https://async-resend.example/v1/x"), null, prompt, true, 0, null), resend);
        retries.proceed(retries.admit());
        assertEquals(List.of("answer settled"), resend.log);
    }

    @Test
    void theCallsLifeIsAFixedSequence() {
        AiCall fresh = call("misuse.example");
        assertThrows(AssertionError.class, fresh::beginAttempt, "no attempt before admission");
        AiCall admitted = call("misuse.example");
        admitted.admit();
        assertThrows(AssertionError.class, () -> admitted.onSuccess(200, Headers.EMPTY), "no answer before an attempt");
        assertThrows(AssertionError.class, admitted::admit, "admitted once");
        admitted.beginAttempt();
        Verdict verdict = new Verdict(admitted);
        verdict.judge(503, Headers.EMPTY, new byte[0], false, false);
        assertThrows(AssertionError.class, () -> verdict.judge(503, Headers.EMPTY, new byte[0], false, false),
                "one verdict per attempt");
        assertThrows(AssertionError.class, admitted::delivered, "a response to retry is not delivered");
    }
}
