package io.aierr.tests.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenAI-style endpoint behind a {@link TokenLimit}: it answers each admitted request with
 * a completion of its own, and the others with the limit's 429 (see there for the hints it sends
 * when {@code hinted}).
 *
 * <p>Every response carries {@code x-body-sha256} of the body sent, so an app can prove it got the
 * bytes unchanged ({@code apps.LoadApp}). Completions differ per request (id, usage).
 */
public final class TokenLimitedAiServer implements AutoCloseable {
    private final HttpServer server;
    private final TokenLimit limit;
    public final AtomicInteger requestCount = new AtomicInteger();
    public final AtomicInteger throttled;
    /** Tokens charged for the requests that were admitted. */
    public final AtomicInteger tokensCharged;

    public TokenLimitedAiServer(double tokenRate, int tokenBurst, boolean hinted) throws IOException {
        limit = new TokenLimit(tokenRate, tokenBurst, hinted);
        throttled = limit.throttled;
        tokensCharged = limit.tokensCharged;
        server = LoopbackServer.start("token-limited-ai-server", 0, this::handle);
    }

    public String authority() {
        return LoopbackServer.authority(server);
    }

    public String url(String path) {
        return "http://" + authority() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int number = requestCount.incrementAndGet();
        TokenLimit.Admission admission = limit.admit(request);
        var headers = exchange.getResponseHeaders();
        admission.headers().forEach(headers::add);
        String body;
        if (admission.admitted()) {
            int completionTokens = Math.max(1, admission.maxTokens() / 2);
            int promptTokens = admission.promptTokens();
            body = "{\"id\":\"chatcmpl-" + number + "\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"answer " + number
                    + "\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":" + (promptTokens + completionTokens)
                    + "}}";
        } else {
            body = admission.refusal();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            headers.add("x-body-sha256", Bodies.sha256(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        headers.add("content-type", "application/json");
        exchange.sendResponseHeaders(admission.admitted() ? 200 : 429, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
