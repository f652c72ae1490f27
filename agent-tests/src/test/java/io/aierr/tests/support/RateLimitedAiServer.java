package io.aierr.tests.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenAI-style endpoint behind a token bucket: {@code rate} requests per second with a
 * burst of {@code burst}. Over the limit it answers 429; with {@code hinted} it adds the exact
 * {@code retry-after-ms} and OpenAI's {@code x-ratelimit-*-requests} counters (also on 200s),
 * without it the 429 carries no hint at all.
 */
public final class RateLimitedAiServer implements AutoCloseable {
    /** OpenAI's 429 body without its "try again in" sentence, so that bare mode carries no hint at all. */
    private static final String TOO_MANY = "{\"error\":{\"message\":\"Rate limit reached for requests\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";

    private final HttpServer server;
    private final double rate;
    private final int burst;
    private final boolean hinted;
    private double tokens;
    private long refilledAt = System.nanoTime();
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger throttled = new AtomicInteger();

    public RateLimitedAiServer(double rate, int burst, boolean hinted) throws IOException {
        this.rate = rate;
        this.burst = burst;
        this.hinted = hinted;
        this.tokens = burst;
        server = LoopbackServer.start("rate-limited-ai-server", 0, this::handle);
    }

    public String authority() {
        return LoopbackServer.authority(server);
    }

    public String url(String path) {
        return "http://" + authority() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        requests.incrementAndGet();
        boolean allowed;
        double remaining;
        long nextTokenMillis;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            allowed = tokens >= 1;
            if (allowed) {
                tokens -= 1;
            }
            remaining = tokens;
            nextTokenMillis = (long) Math.ceil((1 - Math.min(1, tokens)) / rate * 1000);
        }
        if (hinted) {
            exchange.getResponseHeaders().add("x-ratelimit-limit-requests", String.valueOf(burst));
            exchange.getResponseHeaders().add("x-ratelimit-remaining-requests", String.valueOf((long) remaining));
            exchange.getResponseHeaders().add("x-ratelimit-reset-requests",
                    (long) Math.ceil((burst - remaining) / rate * 1000) + "ms");
        }
        byte[] body;
        int status;
        if (allowed) {
            status = 200;
            body = Bodies.CHAT_COMPLETION.getBytes(StandardCharsets.UTF_8);
        } else {
            throttled.incrementAndGet();
            status = 429;
            body = TOO_MANY.getBytes(StandardCharsets.UTF_8);
            if (hinted) {
                exchange.getResponseHeaders().add("retry-after-ms", String.valueOf(Math.max(1, nextTokenMillis)));
            }
        }
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
