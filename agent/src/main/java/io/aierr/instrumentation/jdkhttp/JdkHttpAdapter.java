package io.aierr.instrumentation.jdkhttp;

import io.aierr.bootstrap.JdkHttpHook;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.core.TraceScope;
import io.aierr.instrumentation.BlockingCalls;
import io.aierr.instrumentation.CallDepth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.function.Consumer;

/**
 * Runs AI calls made with {@code java.net.http.HttpClient} through the core: one
 * {@link AiCall} per app call, {@code send} through the blocking retry loop and {@code sendAsync}
 * through the async chain, each attempt sent through the app's own client.
 */
public final class JdkHttpAdapter implements JdkHttpHook {
    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;

    public JdkHttpAdapter(AiCalls calls, ReplayMemory replay, Consumer<String> warn) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
    }

    @Override
    public Object[] send(Object client, Object request, Object bodyHandler) {
        HttpRequest r = interceptable(request);
        if (r == null) {
            return null;
        }
        AiCall call = begin(r);
        if (call != null) {
            return sendWithRetries((HttpClient) client, r, (BodyHandler<?>) bodyHandler, call);
        }
        TraceScope untraced = calls.ownExportScope(r.uri());
        if (untraced == null) {
            return null;
        }
        try (untraced) {
            return new Object[] {CallDepth.asAgent(() -> ((HttpClient) client).send(r, (BodyHandler<?>) bodyHandler)),
                null};
        } catch (Throwable e) {
            return new Object[] {null, e};
        }
    }

    @Override
    public Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
        HttpRequest r = interceptable(request);
        if (r == null) {
            return null;
        }
        AiCall call = begin(r);
        if (call != null) {
            return new SendAsyncExchange<>((HttpClient) client, (BodyHandler<?>) bodyHandler,
                    (PushPromiseHandler) pushPromiseHandler, AttemptRequests.of(r, call, replay, warn)).start(call);
        }
        TraceScope untraced = calls.ownExportScope(r.uri());
        if (untraced == null) {
            return null;
        }
        try (untraced) {
            return CallDepth.asAgent(() -> SendAsyncExchange.sendAsync((HttpClient) client, r,
                    (BodyHandler) bodyHandler, (PushPromiseHandler) pushPromiseHandler));
        }
    }

    /** The request when the hook may act on it; null for the agent's own attempts. */
    private static HttpRequest interceptable(Object request) {
        return CallDepth.inside() || !(request instanceof HttpRequest) ? null : (HttpRequest) request;
    }

    /** A new AI call for this request, or null when it is not one. */
    private AiCall begin(HttpRequest r) {
        try {
            String provider = calls.providerFor(r.uri());
            if (provider == null) {
                return null;
            }
            return calls.begin(provider, r.method(), r.uri(), JdkRequests.credential(r),
                    JdkRequests.bodyPrefix(r, AiCall.PEEK_LIMIT), JdkRequests.replayable(r), JdkRequests.timeoutMillis(r),
                    r.headers().firstValue(JdkRequests.TRACEPARENT).orElse(null));
        } catch (RuntimeException | LinkageError e) {
            warn.accept("java.net.http call passed through unobserved: " + e);
            return null;
        }
    }

    private <T> Object[] sendWithRetries(HttpClient client, HttpRequest request, BodyHandler<T> handler,
                                         AiCall call) {
        AttemptRequests requests = AttemptRequests.of(request, call, replay, warn);
        try {
            return BlockingCalls.run(call, new SendExchange<>(client, handler, requests));
        } finally {
            requests.release();
        }
    }
}
