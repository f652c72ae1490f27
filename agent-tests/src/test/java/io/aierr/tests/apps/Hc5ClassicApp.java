package io.aierr.tests.apps;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary app calling with HttpClient 5 classic, its client built with the defaults (so the
 * client's own retry strategy is on), one client and pool per call. Call options: mode
 * (open|handler), request-body (string|stream: one input stream of known length|chunked: the same
 * of unknown length|none), request-size (pads the chat request to this many bytes), read
 * (bytes|lines|until-done|to-string: EntityUtils|write-to: the entity's writeTo), timeout-ms, client (pooled|minimal), interrupt-when. Each
 * call also prints what its entity says of itself (length, chunked, streaming, repeatable).
 */
public final class Hc5ClassicApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            run(call);
        }
    }

    private static void run(AppCall call) throws Exception {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        RequestConfig.Builder config = RequestConfig.custom();
        if (call.has("timeout-ms")) {
            config.setResponseTimeout(Timeout.ofMilliseconds(call.number("timeout-ms")));
        }
        CloseableHttpClient client = "minimal".equals(call.option("client", "pooled"))
                ? HttpClients.createMinimal(pool)
                : HttpClients.custom().setConnectionManager(pool).setDefaultRequestConfig(config.build()).build();
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

    private static Void show(AppCall call, ClassicHttpResponse response) throws IOException, ParseException {
        Header last = response.getFirstHeader("x-last");
        call.status(response.getCode(), last == null ? null : last.getValue());
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
