package io.aierr.instrumentation.apache.hc5;

import io.aierr.bootstrap.ApacheHttpHook;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.core.retry.RequestBodyPrefix;
import io.aierr.instrumentation.BlockingCalls;
import io.aierr.instrumentation.apache.RetryStrategyInstrumentation;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * HttpClient 5's helper entry, defined in the client's class loader: classic calls run the core's
 * blocking loop on the caller's thread, async calls go to {@link AsyncCall}.
 */
public final class Hc5Hook implements ApacheHttpHook {
    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;

    public Hc5Hook(AiCalls calls, ReplayMemory replay, Consumer<String> warn) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
    }

    @Override
    public Object[] execute(Object client, Object target, Object request, Object context) {
        ClassicHttpRequest classic = (ClassicHttpRequest) request;
        AiCall call;
        try {
            call = begin(client, target, classic, (HttpContext) context);
        } catch (URISyntaxException | IOException | RuntimeException | LinkageError e) {
            warn.accept("HttpClient 5 call passed through unobserved: " + e);
            return null;
        }
        if (call == null) {
            return null;
        }
        HttpContext attempts = context != null ? (HttpContext) context : HttpClientContext.create();
        ClassicExchange exchange = new ClassicExchange((CloseableHttpClient) client, (HttpHost) target, classic,
                attempts);
        attempts.setAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE,
                exchange.holdingBackRetriesOf(call::decidesRetryOf));
        HttpEntity own = classic.getEntity();
        ReplayMemory.Capture capture = own == null || own.isRepeatable() ? null
                : replay.capture(own.getContentLength());
        // on the app's own request for the call, as the client reads it on each execute; put back after it
        if (capture != null) {
            classic.setEntity(new CapturedEntity(own, capture, call::bodyCaptured));
        }
        try {
            return BlockingCalls.run(call, exchange);
        } finally {
            attempts.removeAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE);
            if (capture != null) {
                classic.setEntity(own);
                capture.release();
            }
        }
    }

    @Override
    public boolean leavesRetryToAierr(Object strategy, Object response, Object context) {
        Object owner = context == null ? null
                : ((HttpContext) context).getAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE);
        return owner instanceof IntPredicate && ((IntPredicate) owner).test(((HttpResponse) response).getCode());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object executeAsync(Object client, Object target, Object requestProducer, Object responseConsumer,
                               Object pushHandlerFactory, Object context, Object callback) {
        return new AsyncCall<>(calls, replay, warn, (CloseableHttpAsyncClient) client, (HttpHost) target,
                (AsyncRequestProducer) requestProducer, (AsyncResponseConsumer) responseConsumer,
                (HandlerFactory<AsyncPushConsumer>) pushHandlerFactory, (HttpContext) context,
                (FutureCallback) callback).start();
    }

    /** A new AI call for this request, or null when it goes elsewhere. */
    private AiCall begin(Object client, Object target, ClassicHttpRequest request, HttpContext context)
            throws URISyntaxException, IOException {
        URI uri = Hc5Requests.uri(target, request);
        String provider = calls.providerFor(uri);
        if (provider == null) {
            return null;
        }
        HttpEntity entity = request.getEntity();
        boolean replayable = entity == null || entity.isRepeatable();
        byte[] prefix = entity == null ? null
                : RequestBodyPrefix.of(replayable, entity.getContentLength(), entity::writeTo);
        long timeout = Hc5Requests.responseTimeoutMillis(configOf(request), context, configOf(client));
        return calls.begin(provider, request.getMethod(), uri, Hc5Requests.credential(request), prefix, replayable,
                timeout, traceparent(request));
    }

    /** The traceparent the app's request carries, which aierr's call span continues; null when none. */
    static String traceparent(HttpRequest request) {
        Header header = request.getFirstHeader("traceparent");
        return header == null ? null : header.getValue();
    }

    static RequestConfig configOf(Object configurable) {
        return configurable instanceof Configurable ? ((Configurable) configurable).getConfig() : null;
    }
}
