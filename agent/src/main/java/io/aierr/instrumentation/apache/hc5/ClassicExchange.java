package io.aierr.instrumentation.apache.hc5;

import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.BlockingRetries;
import io.aierr.core.retry.PeekedBody;
import io.aierr.core.retry.Verdict;
import io.aierr.core.Headers;
import io.aierr.core.limits.Refusal;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.apache.ClassicAttempts;
import io.aierr.instrumentation.apache.RetryStrategyInstrumentation;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.IntPredicate;

/** A classic HttpClient 5 call's side of the blocking retry loop: each attempt is a full client execution. */
final class ClassicExchange implements BlockingRetries.Exchange<CloseableHttpResponse, IOException> {
    private static final String TRACEPARENT = "traceparent";

    private final CloseableHttpClient client;
    private final HttpHost target;
    private final ClassicHttpRequest request;
    private final HttpContext context;
    /** The client's own retry strategy wanted to retry this attempt's response, and aierr held it back. */
    private volatile boolean clientRetryHeldBack;

    ClassicExchange(CloseableHttpClient client, HttpHost target, ClassicHttpRequest request, HttpContext context) {
        this.client = client;
        this.target = target;
        this.request = request;
        this.context = context;
    }

    /**
     * The predicate for {@link RetryStrategyInstrumentation#OWNER_ATTRIBUTE}: aierr's own, which
     * also notes when it holds back the client's retry (the strategy asks it only when it would retry).
     */
    IntPredicate holdingBackRetriesOf(IntPredicate aierrDecides) {
        return status -> {
            boolean held = aierrDecides.test(status);
            if (held) {
                clientRetryHeldBack = true;
            }
            return held;
        };
    }

    @Override
    @SuppressWarnings("deprecation") // the one public entry to doExecute present in every 5.x
    public CloseableHttpResponse send(String traceparent, Verdict verdict) throws IOException {
        clientRetryHeldBack = false;
        if (traceparent == null) {
            return CallDepth.asAgent(() -> client.execute(target, request, context));
        }
        // Set on the app's own request for this one execution and put back after it: a copy would
        // lose what only the app's object has (its abort/cancel hook, its RequestConfig), and the
        // request is written out by the time execute returns.
        Header[] own = request.getHeaders(TRACEPARENT);
        request.setHeader(TRACEPARENT, traceparent);
        try {
            return CallDepth.asAgent(() -> client.execute(target, request, context));
        } finally {
            request.removeHeaders(TRACEPARENT);
            for (Header header : own) {
                request.addHeader(header);
            }
        }
    }

    @Override
    public int status(CloseableHttpResponse response) {
        return response.getCode();
    }

    @Override
    public Headers headers(CloseableHttpResponse response) {
        return Hc5Requests.headers(response);
    }

    @Override
    public PeekedBody peek(CloseableHttpResponse response) {
        HttpEntity entity = response.getEntity();
        return PeekedBody.read(() -> entity == null ? null : entity.getContent(), AiCall.PEEK_LIMIT);
    }

    /**
     * The stream the app would read, read for usage on its way. A repeatable entity is left as it is:
     * the app may read it more than once (a cached answer), which one stream in its place would break.
     */
    @Override
    public InputStream successContent(CloseableHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        return entity == null || entity.isRepeatable() ? null : entity.getContent();
    }

    @Override
    public CloseableHttpResponse withBody(CloseableHttpResponse response, InputStream content) {
        response.setEntity(new ReplayedEntity(response.getEntity(), content));
        return response;
    }

    /**
     * Without aierr, HttpClient's own retry of this response would have released it first, reading
     * the rest of its body: that read fails, and the client's execute throws its failure (no resend,
     * no response). Held back by aierr, it fails the same way here; otherwise the app gets the
     * response and meets the failure when it reads the body.
     */
    @Override
    public CloseableHttpResponse withBrokenBody(CloseableHttpResponse response, InputStream content,
                                                IOException failure) throws IOException {
        if (!clientRetryHeldBack) {
            return withBody(response, content);
        }
        discard(response);
        throw failure;
    }

    /** As HttpClient's own retry does: a fully read body has already freed the connection, else it is closed. */
    @Override
    public void discard(CloseableHttpResponse response) {
        response.close(CloseMode.IMMEDIATE);
    }

    @Override
    public void pause(long millis) throws IOException {
        ClassicAttempts.pause(millis);
    }

    @Override
    public CloseableHttpResponse answer(Refusal refusal) {
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(refusal.answer.status);
        refusal.headers().forEach(response::addHeader);
        response.setEntity(new ByteArrayEntity(refusal.answer.body, refusal.answer.contentType == null ? null
                : ContentType.parseLenient(refusal.answer.contentType)));
        return CloseableHttpResponse.adapt(response);
    }
}
