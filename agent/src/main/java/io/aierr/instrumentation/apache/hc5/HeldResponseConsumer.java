package io.aierr.instrumentation.apache.hc5;

import io.aierr.core.Headers;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.Delayed;
import io.aierr.core.retry.FirstEvent;
import io.aierr.core.retry.RetryDecision;
import io.aierr.core.retry.SuccessBody;
import io.aierr.core.retry.Verdict;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Receives one attempt's response. Everything of a call that is not observed goes straight to the
 * app's consumer; so do an AI call's successes, their body read on the way (usage, in-band errors),
 * except an event stream of a call that can be sent again: it is held until its first event came (at
 * most {@link Verdict#firstEventWaitMillis()} and {@link FirstEvent#HOLD_LIMIT}), so that an in-band
 * error there is retried unseen. An error body is held up to the peek limit and decided on. A
 * response to retry is drained (so its connection goes back to the pool) and never reaches the app;
 * one handed over reaches the app's consumer with the held bytes first.
 *
 * <p>The client calls it on its I/O thread, the end of a stream's wait on the timer's: its methods are
 * synchronized, so the app's consumer hears one signal at a time, in order.
 */
final class HeldResponseConsumer<T> implements AsyncResponseConsumer<T> {
    private final AsyncResponseConsumer<T> consumer;
    /** Whether the call is an AI call aierr judges; otherwise everything goes straight to the app. */
    private final BooleanSupplier observed;
    /** The verdict of this attempt, known once the request went out. */
    private final Supplier<Verdict> verdict;

    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    volatile int status;
    volatile boolean discarded;
    private boolean engaged;
    private boolean draining;
    /** A success's stream held for its first event; null otherwise. */
    private FirstEvent first;
    /** The body of a success the app's consumer reads, read on the way; null when not read. */
    private SuccessBody successBody;
    private HttpResponse response;
    private EntityDetails details;
    private HttpContext responseContext;
    private FutureCallback<T> resultCallback;
    private CapacityChannel capacity;

    HeldResponseConsumer(AsyncResponseConsumer<T> consumer, BooleanSupplier observed, Supplier<Verdict> verdict) {
        this.consumer = consumer;
        this.observed = observed;
        this.verdict = verdict;
    }

    @Override
    public synchronized void consumeResponse(HttpResponse response, EntityDetails details, HttpContext responseContext,
                                             FutureCallback<T> resultCallback) throws HttpException, IOException {
        status = response.getCode();
        this.response = response;
        if (!observed.getAsBoolean()) {
            engaged = true;
            consumer.consumeResponse(response, details, responseContext, resultCallback);
            return;
        }
        String contentType = details == null ? null : details.getContentType();
        if (status < 400 && (details == null || !verdict.get().holdsFirstEvent(contentType))) {
            engaged = true;
            successBody = details == null ? null : verdict.get().successBody(contentType);
            consumer.consumeResponse(response, details, responseContext, resultCallback);
            return;
        }
        this.details = details;
        this.responseContext = responseContext;
        this.resultCallback = resultCallback;
        if (details == null) {
            decide(true, null, false);
        } else if (status < 400) {
            first = new FirstEvent();
            Delayed.offThread(verdict.get().firstEventWaitMillis(), this::waitOver);
        }
    }

    @Override
    public void informationResponse(HttpResponse information, HttpContext informationContext)
            throws HttpException, IOException {
        consumer.informationResponse(information, informationContext);
    }

    @Override
    public synchronized void updateCapacity(CapacityChannel channel) throws IOException {
        if (engaged) {
            consumer.updateCapacity(channel);
        } else if (draining) {
            channel.update(Integer.MAX_VALUE);
        } else {
            capacity = channel;
            channel.update(AiCall.PEEK_LIMIT);
        }
    }

    @Override
    public synchronized void consume(ByteBuffer src) throws IOException {
        if (engaged) {
            forward(src);
            return;
        }
        if (draining) {
            src.position(src.limit());
            return;
        }
        byte[] chunk = new byte[src.remaining()];
        src.get(chunk);
        held.write(chunk, 0, chunk.length);
        boolean enough = first != null ? first.accept(chunk, 0, chunk.length) : held.size() >= AiCall.PEEK_LIMIT;
        if (enough) {
            try {
                decide(false, null, false);
            } catch (HttpException e) {
                // consume() may only throw I/O errors; the app consumer's own refusal of the response
                throw new IOException(e);
            }
        }
    }

    @Override
    public synchronized void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        if (engaged) {
            bodyEnded();
            consumer.streamEnd(trailers);
        } else if (draining) {
            resultCallback.completed(null);
        } else {
            decide(true, trailers, false);
        }
    }

    @Override
    public synchronized void failed(Exception cause) {
        if (!engaged && !discarded && response != null) {
            // the body broke while held: decided on as it came (never retried), then the app's
            // consumer gets the response and the bytes before the same failure, as without aierr
            try {
                decide(false, null, true);
            } catch (HttpException | IOException | RuntimeException appRefused) {
                // the app's consumer refused the response; it still hears the failure below
            }
        }
        bodyEnded();
        if (!discarded && !(cause instanceof NotSent)) {
            consumer.failed(cause);
        }
    }

    @Override
    public synchronized void releaseResources() {
        bodyEnded();
        if (!discarded) {
            consumer.releaseResources();
        }
    }

    Headers headers() {
        return response == null ? Headers.EMPTY : Hc5Requests.headers(response);
    }

    /** A held stream's wait for its first event is over: it goes to the app with what came. */
    private synchronized void waitOver() {
        if (engaged || draining || discarded || first == null) {
            return;
        }
        try {
            decide(false, null, false);
        } catch (HttpException | IOException | RuntimeException appRefused) {
            consumer.failed(appRefused instanceof Exception ? (Exception) appRefused : new IOException(appRefused));
        }
    }

    private void forward(ByteBuffer src) throws IOException {
        if (successBody != null) {
            successBody.accept(src);
        }
        consumer.consume(src);
    }

    private void bodyEnded() {
        if (successBody != null) {
            successBody.ended();
        }
    }

    /**
     * @param complete the body ended normally with what is held
     * @param broken   the body failed after what is held
     */
    private void decide(boolean complete, List<? extends Header> trailers, boolean broken)
            throws HttpException, IOException {
        byte[] body = held.toByteArray();
        held.reset();
        if (retry(body, complete, broken)) {
            discarded = true;
            if (complete) {
                resultCallback.completed(null);
            } else {
                draining = true;
                if (capacity != null) {
                    capacity.update(Integer.MAX_VALUE);
                }
            }
            return;
        }
        engaged = true;
        if (first != null) {
            successBody = verdict.get().successBody(details.getContentType());
        }
        consumer.consumeResponse(response, details, responseContext, resultCallback);
        if (details == null) {
            return;
        }
        if (capacity != null && !broken) {
            consumer.updateCapacity(capacity);
        }
        if (body.length > 0) {
            forward(ByteBuffer.wrap(body));
        }
        if (complete) {
            bodyEnded();
            consumer.streamEnd(trailers);
        }
    }

    /** The decision on what is held: an error response's, or a held stream's first event's. */
    private boolean retry(byte[] body, boolean complete, boolean broken) {
        if (first == null) {
            byte[] prefix = body.length > AiCall.PEEK_LIMIT ? Arrays.copyOf(body, AiCall.PEEK_LIMIT) : body;
            return verdict.get().judge(status, Hc5Requests.headers(response), prefix, !complete, broken).retry;
        }
        RetryDecision d = broken ? null : verdict.get().judgeFirstEvent(Hc5Requests.headers(response), first);
        return d != null && d.retry;
    }
}
