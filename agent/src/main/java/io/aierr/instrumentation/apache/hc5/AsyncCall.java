package io.aierr.instrumentation.apache.hc5;

import io.aierr.core.Headers;
import io.aierr.core.TraceScope;
import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.Admission;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.apache.RetryStrategyInstrumentation;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.support.BasicRequestBuilder;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * One async HttpClient 5 call. Its request is known only when the app's producer emits it inside
 * the client's {@code doExecute}, so the first attempt always runs through thin relays (producer,
 * consumer, callback) that decide at that moment: a call to another host then just passes through
 * them and the app gets the client's own future. An AI call gets the future of the whole call and
 * goes through the async retry chain: its attempts are full client executions, and cancelling that
 * future cancels the attempt in flight and any to come.
 */
final class AsyncCall<T> implements AsyncRetries.Exchange<AsyncCall<T>.Execution> {
    private static final int UNDECIDED = 0;
    private static final int PASS = 1;
    private static final int AI = 2;
    private static final String TRACEPARENT = "traceparent";

    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;
    private final CloseableHttpAsyncClient client;
    private final HttpHost target;
    private final AsyncRequestProducer producer;
    private final AsyncResponseConsumer<T> consumer;
    private final HandlerFactory<AsyncPushConsumer> pushHandlers;
    private final HttpContext appContext;
    private final FutureCallback<T> callback;
    private final AtomicInteger mode = new AtomicInteger(UNDECIDED);
    private final BasicFuture<T> result = new BasicFuture<>(new ToApp());
    // set once the first attempt's request is emitted, before any response can arrive
    private volatile AiCall call;
    private volatile AsyncRetries<Execution> retries;
    private volatile HttpRequest request;
    private volatile EntityDetails entityDetails;
    /** The copy of a body the app's producer cannot repeat, made as the first attempt sends it; else null. */
    private volatile ReplayMemory.Capture capture;
    /** Trailers the app's producer ended its body with, for the replays. */
    private volatile List<? extends Header> trailers;
    private volatile HttpContext context;
    private volatile Future<T> inFlight;
    /** Set when the call passes through and the app got the client's future, whose callback is the attempt. */
    private volatile boolean appHoldsClientFuture;
    /** The attempt allowed to use the app's producer; a finished attempt must not reset it under the next one. */
    private volatile Execution current;
    /** Set when the first emission is not sent now: what happens instead, once its execution is dropped. */
    private volatile Runnable firstNotSent;

    AsyncCall(AiCalls calls, ReplayMemory replay, Consumer<String> warn, CloseableHttpAsyncClient client,
              HttpHost target, AsyncRequestProducer producer, AsyncResponseConsumer<T> consumer,
              HandlerFactory<AsyncPushConsumer> pushHandlers, HttpContext appContext, FutureCallback<T> callback) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
        this.client = client;
        this.target = target;
        this.producer = producer;
        this.consumer = consumer;
        this.pushHandlers = pushHandlers;
        this.appContext = appContext;
        this.callback = callback;
    }

    Future<T> start() {
        Execution first = new Execution(true, null);
        current = first;
        Future<T> future = first.send(appContext);
        if (mode.get() == PASS) {
            appHoldsClientFuture = true;
            return future;
        }
        // an AI call, or a producer that emits later (on an I/O thread): the app gets the call's future
        inFlight = future;
        if (result.isCancelled()) {
            future.cancel(true);
        }
        return result;
    }

    /** Runs on the first emission of the request, before the client sends anything. */
    private void decide(Execution first, HttpRequest emitted, EntityDetails details, HttpContext clientContext) {
        if (mode.get() != UNDECIDED) {
            return;
        }
        AiCall begun = null;
        AsyncRetries<Execution> chain = null;
        Admission admission = null;
        try {
            URI uri = Hc5Requests.uri(target, emitted);
            String provider = calls.providerFor(uri);
            if (provider != null) {
                long timeout = Hc5Requests.responseTimeoutMillis(Hc5Hook.configOf(emitted), clientContext, null);
                byte[] body = emitted instanceof SimpleHttpRequest ? ((SimpleHttpRequest) emitted).getBodyBytes() : null;
                byte[] prefix = body == null ? null : Arrays.copyOf(body, Math.min(body.length, AiCall.PEEK_LIMIT));
                begun = calls.begin(provider, emitted.getMethod(), uri, Hc5Requests.credential(emitted), prefix,
                        producer.isRepeatable(), timeout, Hc5Hook.traceparent(emitted));
                chain = new AsyncRetries<>(begun, this);
                admission = chain.admit();
            }
        } catch (URISyntaxException | RuntimeException | LinkageError e) {
            warn.accept("HttpClient 5 async call passed through unobserved: " + e);
        }
        if (begun == null) {
            mode.set(PASS);
            return;
        }
        // a snapshot before the client adds its headers: the minimal clients work on this very object
        request = BasicRequestBuilder.copy(emitted).build();
        entityDetails = details;
        if (details != null && !producer.isRepeatable()) {
            capture = replay.capture(details.getContentLength());
        }
        // null for the minimal clients, which have no retry strategy to hold back
        context = clientContext;
        if (clientContext != null) {
            clientContext.setAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE, (IntPredicate) begun::decidesRetryOf);
        }
        call = begun;
        retries = chain;
        mode.set(AI);
        if (admission.refusal != null || (admission.waitMillis > 0 && producer.isRepeatable())) {
            // answered, or not sent yet: it waits its turn off the I/O thread, then goes as a resend
            AsyncRetries<Execution> later = chain;
            Admission admitted = admission;
            firstNotSent = () -> later.proceed(admitted);
        } else {
            first.reply = chain.sentByClient();
        }
    }

    /** Gives the app the refusal's copied answer through its own consumer, as if the server had sent it. */
    @Override
    public void answer(Refusal refusal) {
        BasicHttpResponse response = new BasicHttpResponse(refusal.answer.status);
        refusal.headers().forEach(response::addHeader);
        byte[] body = refusal.answer.body;
        ContentType type = refusal.answer.contentType == null ? null : ContentType.parseLenient(refusal.answer.contentType);
        try {
            consumer.consumeResponse(response, new BasicEntityDetails(body.length, type), appContext, new IntoResult());
            consumer.consume(ByteBuffer.wrap(body));
            consumer.streamEnd(null);
        } catch (HttpException | IOException | RuntimeException e) {
            result.failed(e);
        } finally {
            consumer.releaseResources();
        }
    }

    private boolean observed() {
        return mode.get() == AI;
    }

    /** A resend: a copy of the emitted request and its body, carrying {@code traceparent}. */
    @Override
    public void send(String traceparent, AsyncRetries<Execution>.Attempt attempt) {
        Execution next = new Execution(false, traceparent);
        next.reply = attempt;
        synchronized (this) {
            current = next;
            // what the finished attempt's client would have done, had its release not been held back
            producer.releaseResources();
        }
        inFlight = next.send(context);
    }

    @Override
    public void cancelInFlight() {
        Future<T> attempt = inFlight;
        if (attempt != null) {
            attempt.cancel(true);
        }
    }

    @Override
    public int status(Execution execution) {
        return execution.relayConsumer.status;
    }

    @Override
    public Headers headers(Execution execution) {
        return execution.relayConsumer.headers();
    }

    /** Nothing to release: its consumer drained the body and dropped it. */
    @Override
    public void discard(Execution execution) {
    }

    @Override
    public void complete(Execution execution) {
        result.completed(execution.value);
    }

    @Override
    public void fail(Throwable failure) {
        result.failed(failure instanceof Exception ? (Exception) failure : new ExecutionException(failure));
    }

    /** The app's future is cancelled already, and its callback heard. */
    @Override
    public void cancelledWhileWaiting() {
    }

    /** Completes the call's future: from an attempt that passed through, or from a refusal's copied answer. */
    private final class IntoResult implements FutureCallback<T> {
        @Override
        public void completed(T value) {
            result.completed(value);
        }

        @Override
        public void failed(Exception failure) {
            result.failed(failure);
        }

        @Override
        public void cancelled() {
            result.cancel();
        }
    }

    /** The app's callback behind the whole call's future. */
    private final class ToApp implements FutureCallback<T> {
        @Override
        public void completed(T value) {
            release();
            if (callback != null) {
                callback.completed(value);
            }
        }

        @Override
        public void failed(Exception failure) {
            release();
            if (callback != null) {
                callback.failed(failure);
            }
        }

        @Override
        public void cancelled() {
            AsyncRetries<Execution> chain = retries;
            if (chain != null) {
                chain.cancel();
            } else {
                cancelInFlight();
            }
            release();
            if (callback != null) {
                callback.cancelled();
            }
        }

        private void release() {
            ReplayMemory.Capture captured = capture;
            if (captured != null) {
                captured.release();
            }
            HttpContext attemptsContext = context;
            if (attemptsContext != null) {
                attemptsContext.removeAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE);
            }
        }
    }

    /**
     * One attempt's client execution: its relay producer and consumer, the callback of the client's
     * future for it, and, for an AI call, what it came back with.
     */
    final class Execution implements FutureCallback<T> {
        private final AttemptProducer relayProducer = new AttemptProducer(this);
        private final HeldResponseConsumer<T> relayConsumer = new HeldResponseConsumer<>(consumer, AsyncCall.this::observed,
                () -> this.reply.verdict());
        /** The first attempt sends the app's producer; the others a copy of its request and body. */
        final boolean first;
        /** What a resend carries in place of the request's own traceparent; null to send it as the app set it. */
        final String traceparent;
        /** Where an AI call's attempt reports; set before the request goes out. */
        volatile AsyncRetries<Execution>.Attempt reply;
        volatile T value;

        Execution(boolean first, String traceparent) {
            this.first = first;
            this.traceparent = traceparent;
        }

        Future<T> send(HttpContext attemptContext) {
            return CallDepth.asAgent(() -> client.execute(target, relayProducer, relayConsumer, pushHandlers,
                    attemptContext, this));
        }

        /** Where a call that passes through reports: the app's callback, or the call's future the app holds. */
        private FutureCallback<T> passedTo() {
            if (!appHoldsClientFuture) {
                return new IntoResult();
            }
            return callback != null ? callback : new IntoResult();
        }

        @Override
        public void completed(T completed) {
            if (!observed()) {
                passedTo().completed(completed);
            } else {
                value = completed;
                reply.responded(this);
            }
        }

        @Override
        public void failed(Exception failure) {
            if (failure instanceof NotSent) {
                firstNotSent.run();
            } else if (!observed()) {
                passedTo().failed(failure);
            } else if (relayConsumer.discarded) {
                // the connection broke while a dropped body drained: the retry stands
                reply.responded(this);
            } else {
                reply.failed(failure);
            }
        }

        @Override
        public void cancelled() {
            if (!observed()) {
                passedTo().cancelled();
            } else {
                result.cancel(); // the app hears a cancel, whoever cancelled the attempt
                reply.failed(new CancellationException("attempt cancelled"));
            }
        }
    }

    /**
     * Hands the app's producer to one attempt. The first emits the app's request (and decides);
     * resends emit a copy of it as it was, with the attempt's traceparent, the body coming from the
     * app's producer after a reset, or, when that producer cannot repeat, from the copy the first
     * attempt captured as it sent the body. The first attempt goes out as the app emitted it,
     * without aierr's traceparent: the client reads per-request settings (its RequestConfig) from
     * that very object, and the minimal clients go on writing it on an I/O thread after it is handed
     * over, so neither a copy nor a header set for a while would be safe.
     */
    private final class AttemptProducer implements AsyncRequestProducer {
        private final Execution attempt;
        /** Bytes of the captured body this resend has written. */
        private int replayed;
        private boolean ended;

        AttemptProducer(Execution attempt) {
            this.attempt = attempt;
        }

        @Override
        public void sendRequest(RequestChannel channel, HttpContext attemptContext) throws HttpException, IOException {
            HttpRequest resend = request;
            if (resend != null && observed()) {
                HttpRequest copy = BasicRequestBuilder.copy(resend).build();
                if (attempt.traceparent != null) {
                    copy.setHeader(TRACEPARENT, attempt.traceparent);
                }
                channel.sendRequest(copy, entityDetails, attemptContext);
                return;
            }
            producer.sendRequest((emitted, details, c) -> {
                decide(attempt, emitted, details, c);
                if (firstNotSent != null) {
                    throw new NotSent();
                }
                try (TraceScope inApp = observed() ? call.attemptInAppContext() : TraceScope.NONE) {
                    channel.sendRequest(emitted, details, c);
                }
            }, attemptContext);
        }

        @Override
        public boolean isRepeatable() {
            return producer.isRepeatable();
        }

        @Override
        public void failed(Exception cause) {
            // a first emission aierr did not send is no failure of the app's producer: it is sent later
            if (current == attempt && !(cause instanceof NotSent)) {
                producer.failed(cause);
            }
        }

        @Override
        public int available() {
            // as the in-memory producers say: output is always ready
            return captured() != null ? Integer.MAX_VALUE : producer.available();
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            byte[] bytes = captured();
            if (bytes != null) {
                replay(channel, bytes);
            } else if (current != attempt) {
                channel.endStream();
            } else if (attempt.first && capture != null) {
                producer.produce(new CapturingChannel(channel, capture));
            } else {
                producer.produce(channel);
            }
        }

        /** The whole body captured by the first attempt, when this attempt is a resend that sends it. */
        private byte[] captured() {
            ReplayMemory.Capture c = capture;
            return attempt.first || c == null ? null : c.bytes();
        }

        private void replay(DataStreamChannel channel, byte[] bytes) throws IOException {
            if (ended) {
                return;
            }
            if (replayed < bytes.length) {
                replayed += channel.write(ByteBuffer.wrap(bytes, replayed, bytes.length - replayed));
            }
            if (replayed == bytes.length) {
                ended = true;
                List<? extends Header> last = trailers;
                if (last != null) {
                    channel.endStream(last);
                } else {
                    channel.endStream();
                }
            }
        }

        @Override
        public void releaseResources() {
            synchronized (AsyncCall.this) {
                if (current == attempt) {
                    producer.releaseResources();
                }
            }
        }
    }

    /**
     * The first attempt's data channel: what the app's producer writes goes to the client and, as far
     * as the client took it, into the capture; the end of the body makes the capture whole.
     */
    private final class CapturingChannel implements DataStreamChannel {
        private final DataStreamChannel channel;
        private final ReplayMemory.Capture into;

        CapturingChannel(DataStreamChannel channel, ReplayMemory.Capture into) {
            this.channel = channel;
            this.into = into;
        }

        @Override
        public void requestOutput() {
            channel.requestOutput();
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int from = src.position();
            int written = channel.write(src);
            if (written > 0) {
                ByteBuffer sent = src.duplicate();
                sent.position(from);
                sent.limit(from + written);
                into.write(sent);
            }
            return written;
        }

        @Override
        public void endStream() throws IOException {
            ended(null);
            channel.endStream();
        }

        @Override
        public void endStream(List<? extends Header> endTrailers) throws IOException {
            ended(endTrailers);
            channel.endStream(endTrailers);
        }

        private void ended(List<? extends Header> endTrailers) {
            trailers = endTrailers;
            if (into.complete()) {
                call.bodyCaptured();
            }
        }
    }
}
