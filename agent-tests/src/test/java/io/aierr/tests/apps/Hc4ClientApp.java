package io.aierr.tests.apps;

import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DefaultServiceUnavailableRetryStrategy;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary app calling with HttpClient 4.5, one client and pool per call. Call options: mode
 * (open|handler), request-body (string|stream: one input stream of known length|chunked: the same
 * of unknown length|none), request-size (pads the chat request to this many bytes), read
 * (bytes|lines|until-done|to-string: EntityUtils|write-to: the entity's writeTo), timeout-ms (socket timeout), client (pooled|minimal), retry-503 (the client's own
 * DefaultServiceUnavailableRetryStrategy), interrupt-when. Each
 * call also prints what its entity says of itself (length, chunked, streaming, repeatable).
 */
public final class Hc4ClientApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            run(call);
        }
    }

    private static void run(AppCall call) throws Exception {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        HttpClientBuilder builder = HttpClients.custom().setConnectionManager(pool);
        if (call.has("timeout-ms")) {
            builder.setDefaultRequestConfig(RequestConfig.custom().setSocketTimeout((int) call.number("timeout-ms")).build());
        }
        if (call.has("retry-503")) {
            builder.setServiceUnavailableRetryStrategy(new DefaultServiceUnavailableRetryStrategy(1, 1000));
        }
        CloseableHttpClient client = "minimal".equals(call.option("client", "pooled"))
                ? HttpClients.createMinimal(pool) : builder.build();
        HttpPost post = new HttpPost(call.url);
        post.setHeader("authorization", "Bearer sk-test-not-a-real-key-123456");
        String kind = call.option("request-body", "string");
        byte[] json = "none".equals(kind) ? null : call.requestBody();
        switch (kind) {
            case "string" -> post.setEntity(new StringEntity(new String(json, StandardCharsets.UTF_8),
                    ContentType.APPLICATION_JSON));
            case "stream" -> post.setEntity(new InputStreamEntity(new ByteArrayInputStream(json), json.length,
                    ContentType.APPLICATION_JSON));
            case "chunked" -> post.setEntity(new InputStreamEntity(new ByteArrayInputStream(json), -1,
                    ContentType.APPLICATION_JSON));
            default -> { }
        }
        call.begin();
        try {
            if ("handler".equals(call.option("mode", "open"))) {
                client.execute(post, response -> show(call, response));
            } else {
                try (CloseableHttpResponse response = client.execute(post)) {
                    show(call, response);
                }
            }
        } catch (Exception e) {
            call.failed(e);
        }
        Header traceparent = post.getFirstHeader("traceparent");
        call.print("request.traceparent", traceparent == null ? "none" : traceparent.getValue());
        call.end(() -> pool.getTotalStats().getLeased());
        client.close();
    }

    private static Void show(AppCall call, HttpResponse response) throws IOException {
        Header last = response.getFirstHeader("x-last");
        call.status(response.getStatusLine().getStatusCode(), last == null ? null : last.getValue());
        HttpEntity entity = response.getEntity();
        call.entity(entity.getContentLength(), entity.isChunked(), entity.isStreaming(), entity.isRepeatable());
        switch (call.option("read", "bytes")) {
            case "to-string" -> call.body(EntityUtils.toString(entity).getBytes(StandardCharsets.UTF_8));
            case "write-to" -> {
                ByteArrayOutputStream written = new ByteArrayOutputStream();
                entity.writeTo(written);
                call.body(written.toByteArray());
            }
            default -> call.body(call.read(entity.getContent()));
        }
        return null;
    }
}
