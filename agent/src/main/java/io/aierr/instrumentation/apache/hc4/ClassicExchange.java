package io.aierr.instrumentation.apache.hc4;

import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.BlockingRetries;
import io.aierr.core.retry.PeekedBody;
import io.aierr.core.retry.Verdict;
import io.aierr.core.Headers;
import io.aierr.core.limits.Refusal;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.apache.ClassicAttempts;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;

import java.io.IOException;
import java.io.InputStream;

/** An HttpClient 4.5 call's side of the blocking retry loop: each attempt is a full client execution. */
final class ClassicExchange implements BlockingRetries.Exchange<CloseableHttpResponse, IOException> {
    private static final String TRACEPARENT = "traceparent";

    private final CloseableHttpClient client;
    private final HttpHost target;
    private final HttpRequest request;
    private final HttpContext context;

    ClassicExchange(CloseableHttpClient client, HttpHost target, HttpRequest request, HttpContext context) {
        this.client = client;
        this.target = target;
        this.request = request;
        this.context = context;
    }

    @Override
    public CloseableHttpResponse send(String traceparent, Verdict verdict) throws IOException {
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
        return response.getStatusLine().getStatusCode();
    }

    @Override
    public Headers headers(CloseableHttpResponse response) {
        Header[] headers = response.getAllHeaders();
        return Headers.ofPairs(headers.length, i -> headers[i].getName(), i -> headers[i].getValue());
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
        return StreamClosingResponse.of(response, content);
    }

    /**
     * Closing the response without its stream aborts the connection when the body was not read to
     * its end (closing the stream would drain it); a body read to its end freed it already.
     */
    @Override
    public void discard(CloseableHttpResponse response) {
        try {
            response.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }

    @Override
    public void pause(long millis) throws IOException {
        ClassicAttempts.pause(millis);
    }

    @Override
    public CloseableHttpResponse answer(Refusal refusal) {
        AnsweredResponse response = new AnsweredResponse(refusal.answer.status);
        refusal.headers().forEach(response::addHeader);
        ByteArrayEntity body = new ByteArrayEntity(refusal.answer.body);
        if (refusal.answer.contentType != null) {
            body.setContentType(refusal.answer.contentType);
        }
        response.setEntity(body);
        return response;
    }
}
