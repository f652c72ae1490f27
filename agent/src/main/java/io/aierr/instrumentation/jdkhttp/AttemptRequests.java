package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.ReplayMemory;

import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What each attempt of one call sends: the app's request, or a copy of it that carries aierr's
 * traceparent and, when the JDK cannot re-create its body, the body's capture: the first attempt
 * sends the app's publisher through a {@link CapturingPublisher}, the retries the captured bytes.
 * The app's request object is never changed.
 */
final class AttemptRequests {
    private final HttpRequest request;
    private final AiCall call;
    /** Null when the body needs no capture (none, or one the JDK re-creates) or cannot have one. */
    private final ReplayMemory.Capture capture;
    private final Consumer<String> warn;
    private volatile boolean sent;

    private AttemptRequests(HttpRequest request, AiCall call, ReplayMemory.Capture capture, Consumer<String> warn) {
        this.request = request;
        this.call = call;
        this.capture = capture;
        this.warn = warn;
    }

    static AttemptRequests of(HttpRequest request, AiCall call, ReplayMemory replay, Consumer<String> warn) {
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        ReplayMemory.Capture capture = body.isEmpty() || JdkRequests.replayable(request) ? null
                : replay.capture(body.get().contentLength());
        return new AttemptRequests(request, call, capture, warn);
    }

    /**
     * The request for the attempt begun last; {@code traceparent} replaces the app's when not null.
     * When no copy can be made, the app's own request (no traceparent, no body capture).
     */
    HttpRequest next(String traceparent) {
        try {
            return copyFor(traceparent);
        } catch (RuntimeException e) {
            warn.accept("java.net.http request sent as the app made it (no traceparent, no body capture): " + e);
            return request;
        }
    }

    private HttpRequest copyFor(String traceparent) {
        HttpRequest.BodyPublisher body = null;
        if (capture != null) {
            HttpRequest.BodyPublisher own = request.bodyPublisher().orElseThrow();
            byte[] captured = capture.bytes();
            if (!sent) {
                body = new CapturingPublisher(own, capture, call::bodyCaptured);
            } else if (captured != null) {
                body = JdkRequests.replayOf(captured, own);
            }
        }
        sent = true;
        return body == null && traceparent == null ? request : JdkRequests.copy(request, body, traceparent);
    }

    /** The app's own request. */
    HttpRequest original() {
        return request;
    }

    /** The call ended: its captured body is no longer needed. */
    void release() {
        if (capture != null) {
            capture.release();
        }
    }
}
