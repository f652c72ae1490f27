package io.aierr.instrumentation.apache.hc5;

import io.aierr.core.Headers;
import io.aierr.core.retry.AiCall;
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
 * Receives one attempt's response. Successes, and everything of a call that is not observed,
 * go straight to the app's consumer. An error body is held up to the peek limit and decided on:
 * a response to retry is drained (so its connection goes back to the pool) and never reaches
 * the app; the final one is handed to the app's consumer with the held bytes first.
 */
final class HeldErrorConsumer<T> implements AsyncResponseConsumer<T> {
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
    private HttpResponse response;
    private EntityDetails details;
    private HttpContext responseContext;
    private FutureCallback<T> resultCallback;
    private CapacityChannel capacity;

    HeldErrorConsumer(AsyncResponseConsumer<T> consumer, BooleanSupplier observed, Supplier<Verdict> verdict) {
        this.consumer = consumer;
        this.observed = observed;
        this.verdict = verdict;
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails details, HttpContext responseContext,
                                FutureCallback<T> resultCallback) throws HttpException, IOException {
        status = response.getCode();
        this.response = response;
        if (!observed.getAsBoolean() || status < 400) {
            engaged = true;
            consumer.consumeResponse(response, details, responseContext, resultCallback);
            return;
        }
        this.details = details;
        this.responseContext = responseContext;
        this.resultCallback = resultCallback;
        if (details == null) {
            decide(true, null, false);
        }
    }

    @Override
    public void informationResponse(HttpResponse information, HttpContext informationContext)
            throws HttpException, IOException {
        consumer.informationResponse(information, informationContext);
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
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
    public void consume(ByteBuffer src) throws IOException {
        if (engaged) {
            consumer.consume(src);
            return;
        }
        if (draining) {
            src.position(src.limit());
            return;
        }
        byte[] chunk = new byte[src.remaining()];
        src.get(chunk);
        held.write(chunk, 0, chunk.length);
        if (held.size() >= AiCall.PEEK_LIMIT) {
            try {
                decide(false, null, false);
            } catch (HttpException e) {
                // consume() may only throw I/O errors; the app consumer's own refusal of the response
                throw new IOException(e);
            }
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        if (engaged) {
            consumer.streamEnd(trailers);
        } else if (draining) {
            resultCallback.completed(null);
        } else {
            decide(true, trailers, false);
        }
    }

    @Override
    public void failed(Exception cause) {
        if (!engaged && !discarded && response != null) {
            // the body broke while held: decided on as it came (never retried), then the app's
            // consumer gets the response and the bytes before the same failure, as without aierr
            try {
                decide(false, null, true);
            } catch (HttpException | IOException | RuntimeException appRefused) {
                // the app's consumer refused the response; it still hears the failure below
            }
        }
        if (!discarded && !(cause instanceof NotSent)) {
            consumer.failed(cause);
        }
    }

    @Override
    public void releaseResources() {
        if (!discarded) {
            consumer.releaseResources();
        }
    }

    Headers headers() {
        return response == null ? Headers.EMPTY : Hc5Requests.headers(response);
    }

    /**
     * @param complete the body ended normally with what is held
     * @param broken   the body failed after what is held
     */
    private void decide(boolean complete, List<? extends Header> trailers, boolean broken)
            throws HttpException, IOException {
        byte[] body = held.toByteArray();
        byte[] prefix = body.length > AiCall.PEEK_LIMIT ? Arrays.copyOf(body, AiCall.PEEK_LIMIT) : body;
        if (verdict.get().judge(status, Hc5Requests.headers(response), prefix, !complete, broken).retry) {
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
        consumer.consumeResponse(response, details, responseContext, resultCallback);
        if (details == null) {
            return;
        }
        if (capacity != null && !broken) {
            consumer.updateCapacity(capacity);
        }
        if (body.length > 0) {
            consumer.consume(ByteBuffer.wrap(body));
        }
        if (complete) {
            consumer.streamEnd(trailers);
        }
    }
}
