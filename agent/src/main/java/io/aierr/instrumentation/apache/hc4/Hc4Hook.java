package io.aierr.instrumentation.apache.hc4;

import io.aierr.bootstrap.ApacheHttpHook;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.core.retry.RequestBodyPrefix;
import io.aierr.instrumentation.BlockingCalls;
import io.aierr.instrumentation.apache.RetryStrategyInstrumentation;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.Configurable;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;

import java.io.IOException;
import java.net.URI;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/** HttpClient 4.5's helper entry, defined in the client's class loader: runs the core's blocking loop. */
public final class Hc4Hook implements ApacheHttpHook {
    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;

    public Hc4Hook(AiCalls calls, ReplayMemory replay, Consumer<String> warn) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
    }

    @Override
    public Object[] execute(Object client, Object target, Object request, Object context) {
        HttpRequest hc4 = (HttpRequest) request;
        AiCall call;
        try {
            call = begin(client, (HttpHost) target, hc4, (HttpContext) context);
        } catch (IOException | RuntimeException | LinkageError e) {
            warn.accept("HttpClient 4 call passed through unobserved: " + e);
            return null;
        }
        if (call == null) {
            return null;
        }
        HttpContext attempts = context != null ? (HttpContext) context : HttpClientContext.create();
        attempts.setAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE, (IntPredicate) call::decidesRetryOf);
        HttpEntity own = entityOf(hc4);
        ReplayMemory.Capture capture = own == null || own.isRepeatable() ? null
                : replay.capture(own.getContentLength());
        // on the app's own request for the call, as the client reads it on each execute; put back after it
        if (capture != null) {
            ((HttpEntityEnclosingRequest) hc4).setEntity(new CapturedEntity(own, capture, call::bodyCaptured));
        }
        try {
            return BlockingCalls.run(call,
                    new ClassicExchange((CloseableHttpClient) client, (HttpHost) target, hc4, attempts));
        } finally {
            attempts.removeAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE);
            if (capture != null) {
                ((HttpEntityEnclosingRequest) hc4).setEntity(own);
                capture.release();
            }
        }
    }

    @Override
    public Object executeAsync(Object client, Object target, Object requestProducer, Object responseConsumer,
                               Object pushHandlerFactory, Object context, Object callback) {
        return null;
    }

    @Override
    public boolean leavesRetryToAierr(Object strategy, Object response, Object context) {
        Object owner = context == null ? null
                : ((HttpContext) context).getAttribute(RetryStrategyInstrumentation.OWNER_ATTRIBUTE);
        return owner instanceof IntPredicate
                && ((IntPredicate) owner).test(((HttpResponse) response).getStatusLine().getStatusCode());
    }

    /** A new AI call for this request, or null when it goes elsewhere. */
    private AiCall begin(Object client, HttpHost target, HttpRequest request, HttpContext context) throws IOException {
        URI uri = URI.create(request.getRequestLine().getUri());
        if (!uri.isAbsolute() && target != null) {
            uri = URI.create(target.toURI()).resolve(uri);
        }
        String provider = calls.providerFor(uri);
        if (provider == null) {
            return null;
        }
        HttpEntity entity = entityOf(request);
        boolean replayable = entity == null || entity.isRepeatable();
        byte[] prefix = entity == null ? null
                : RequestBodyPrefix.of(replayable, entity.getContentLength(), entity::writeTo);
        Header traceparent = request.getFirstHeader("traceparent");
        return calls.begin(provider, request.getRequestLine().getMethod(), uri, credential(request), prefix, replayable,
                socketTimeoutMillis(request, context, client), traceparent == null ? null : traceparent.getValue());
    }

    private static HttpEntity entityOf(HttpRequest request) {
        return request instanceof HttpEntityEnclosingRequest
                ? ((HttpEntityEnclosingRequest) request).getEntity() : null;
    }

    private static String credential(HttpRequest request) {
        return AiCalls.credential(name -> {
            org.apache.http.Header h = request.getFirstHeader(name);
            return h == null ? null : h.getValue();
        });
    }

    /** The read timeout that applies (request, context, client default), or 0 when there is none. */
    private static long socketTimeoutMillis(HttpRequest request, HttpContext context, Object client) {
        RequestConfig config = request instanceof Configurable ? ((Configurable) request).getConfig() : null;
        if (config == null && context != null) {
            config = HttpClientContext.adapt(context).getRequestConfig();
        }
        if (config == null && client instanceof Configurable) {
            config = ((Configurable) client).getConfig();
        }
        return config == null ? 0 : Math.max(0, config.getSocketTimeout());
    }
}
