package io.aierr.tests.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local OpenAI-style endpoint behind a token limit: a bucket of {@code tokenRate} tokens per
 * second holding at most {@code tokenBurst}, from which an admitted request takes max(its
 * {@code max_tokens} / {@code max_completion_tokens} / {@code max_output_tokens}, body chars / 4).
 * A request whose cost does not fit gets OpenAI's 429 for a token limit ({@code "type":"tokens"})
 * and is charged nothing. A request limit of 1000 (1000/s) never binds.
 *
 * <p>{@code hinted}: every response carries exact {@code x-ratelimit-{limit,remaining,reset}-tokens}
 * and {@code -requests} (reset = until the bucket is full, as {@code 850ms} or {@code 1.25s}), and
 * a 429 {@code retry-after-ms} = the time until <em>its</em> cost fits, also in its message as OpenAI
 * writes it ("Please try again in 55ms."). Without it: no hint headers, no numbers in the message.
 *
 * <p>Every response carries {@code x-body-sha256} of the body sent, so an app can prove it got the
 * bytes unchanged ({@code apps.LoadApp}). Completions differ per request (id, usage).
 */
public final class TokenLimitedAiServer implements AutoCloseable {
    private static final Pattern TOKEN_LIMIT = Pattern.compile("\"max_(?:completion_|output_)?tokens\"\\s*:\\s*(\\d+)");
    private static final int REQUEST_LIMIT = 1000;
    private static final String LIMIT_MESSAGE = "Rate limit reached for gpt-4o-mini in organization org-test on "
            + "tokens per min (TPM)";

    private final HttpServer server;
    private final Bucket tokens;
    private final Bucket requests = new Bucket(REQUEST_LIMIT, REQUEST_LIMIT);
    private final boolean hinted;
    public final AtomicInteger requestCount = new AtomicInteger();
    public final AtomicInteger throttled = new AtomicInteger();
    /** Tokens charged for the requests that were admitted. */
    public final AtomicInteger tokensCharged = new AtomicInteger();

    public TokenLimitedAiServer(double tokenRate, int tokenBurst, boolean hinted) throws IOException {
        this.tokens = new Bucket(tokenRate, tokenBurst);
        this.hinted = hinted;
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
        int promptTokens = request.length() / 4;
        Matcher limit = TOKEN_LIMIT.matcher(request);
        int maxTokens = limit.find() ? Integer.parseInt(limit.group(1)) : 0;
        int cost = Math.max(maxTokens, promptTokens);
        long now = System.nanoTime();
        Bucket.Taken req = requests.take(now, 1);
        Bucket.Taken tok = tokens.take(now, req.granted ? cost : 0);
        boolean admitted = req.granted && tok.granted;
        var headers = exchange.getResponseHeaders();
        if (hinted) {
            headers.add("x-ratelimit-limit-requests", String.valueOf(REQUEST_LIMIT));
            headers.add("x-ratelimit-remaining-requests", String.valueOf(req.remaining));
            headers.add("x-ratelimit-reset-requests", goDuration(req.millisUntilFull));
            headers.add("x-ratelimit-limit-tokens", String.valueOf(tokens.burst));
            headers.add("x-ratelimit-remaining-tokens", String.valueOf(tok.remaining));
            headers.add("x-ratelimit-reset-tokens", goDuration(tok.millisUntilFull));
        }
        int status;
        String body;
        if (admitted) {
            tokensCharged.addAndGet(cost);
            status = 200;
            int completionTokens = Math.max(1, maxTokens / 2);
            body = "{\"id\":\"chatcmpl-" + number + "\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"answer " + number
                    + "\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":" + (promptTokens + completionTokens)
                    + "}}";
        } else {
            throttled.incrementAndGet();
            status = 429;
            long waitMillis = req.granted ? tok.millisUntilFits : req.millisUntilFits;
            if (hinted) {
                headers.add("retry-after-ms", String.valueOf(Math.max(1, waitMillis)));
            }
            String message = hinted
                    ? LIMIT_MESSAGE + ": Limit " + tokens.burst + ", Used " + (tokens.burst - tok.remaining) + ", Requested "
                    + cost + ". Please try again in " + goDuration(Math.max(1, waitMillis)) + "."
                    : LIMIT_MESSAGE + ".";
            body = "{\"error\":{\"message\":\"" + message + " Visit https://platform.openai.com/account/rate-limits to "
                    + "learn more.\",\"type\":\"" + (req.granted ? "tokens" : "requests") + "\",\"param\":null,"
                    + "\"code\":\"rate_limit_exceeded\"}}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            headers.add("x-body-sha256", Bodies.sha256(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        headers.add("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Go's duration format as OpenAI sends it: {@code 0s}, {@code 850ms}, {@code 1.25s}, {@code 1m5s}. */
    static String goDuration(long millis) {
        if (millis <= 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        String seconds = new java.math.BigDecimal(millis % 60_000).movePointLeft(3).stripTrailingZeros().toPlainString();
        return millis < 60_000 ? seconds + "s" : (millis / 60_000) + "m" + seconds + "s";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Refills continuously at {@code rate} per second up to {@code burst}; starts full. */
    private static final class Bucket {
        record Taken(boolean granted, long remaining, long millisUntilFull, long millisUntilFits) {
        }

        final double rate;
        final int burst;
        private double level;
        private long refilledAt = System.nanoTime();

        Bucket(double rate, int burst) {
            this.rate = rate;
            this.burst = burst;
            this.level = burst;
        }

        synchronized Taken take(long now, int cost) {
            level = Math.min(burst, level + Math.max(0, now - refilledAt) / 1e9 * rate);
            refilledAt = Math.max(refilledAt, now);
            boolean granted = level >= cost;
            if (granted) {
                level -= cost;
            }
            long untilFits = granted ? 0 : (long) Math.ceil((Math.min(cost, burst) - level) / rate * 1000);
            return new Taken(granted, (long) level, (long) Math.ceil((burst - level) / rate * 1000), untilFits);
        }
    }
}
