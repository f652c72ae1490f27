package io.aierr.tests.support;

import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-style token limit: a bucket of {@code tokenRate} tokens per second holding at most
 * {@code tokenBurst}, from which an admitted request takes max(its {@code max_tokens} /
 * {@code max_completion_tokens} / {@code max_output_tokens}, body chars / 4). A request whose cost
 * does not fit gets OpenAI's 429 for a token limit ({@code "type":"tokens"}) and is charged nothing.
 * A request limit of 1000 (1000/s) never binds.
 *
 * <p>{@code hinted}: every answer carries exact {@code x-ratelimit-{limit,remaining,reset}-tokens}
 * and {@code -requests} (reset = until the bucket is full, as {@code 850ms} or {@code 1.25s}), and
 * a 429 {@code retry-after-ms} = the time until <em>its</em> cost fits, also in its message as OpenAI
 * writes it ("Please try again in 55ms."). Without it: no hint headers, no numbers in the message.
 *
 * <p>{@link TokenLimitedAiServer} answers admitted requests with completions of its own;
 * {@link #before} puts the limit in front of a {@link ScriptedAiServer}'s script.
 */
public final class TokenLimit {
    private static final Pattern TOKEN_LIMIT = Pattern.compile("\"max_(?:completion_|output_)?tokens\"\\s*:\\s*(\\d+)");
    private static final int REQUEST_LIMIT = 1000;
    private static final String LIMIT_MESSAGE = "Rate limit reached for gpt-4o-mini in organization org-test on "
            + "tokens per min (TPM)";

    private final Bucket tokens;
    private final Bucket requests = new Bucket(REQUEST_LIMIT, REQUEST_LIMIT);
    private final boolean hinted;
    public final AtomicInteger throttled = new AtomicInteger();
    /** Tokens charged for the requests that were admitted. */
    public final AtomicInteger tokensCharged = new AtomicInteger();

    public TokenLimit(double tokenRate, int tokenBurst, boolean hinted) {
        this.tokens = new Bucket(tokenRate, tokenBurst);
        this.hinted = hinted;
    }

    public int burst() {
        return tokens.burst;
    }

    /**
     * One request's admission: the hint headers its answer carries (none when not hinted), and,
     * when it does not fit, the 429's body.
     */
    public record Admission(boolean admitted, int maxTokens, int promptTokens, Map<String, String> headers,
                            String refusal) {
    }

    public Admission admit(String requestBody) {
        int promptTokens = requestBody.length() / 4;
        Matcher limit = TOKEN_LIMIT.matcher(requestBody);
        int maxTokens = limit.find() ? Integer.parseInt(limit.group(1)) : 0;
        int cost = Math.max(maxTokens, promptTokens);
        long now = System.nanoTime();
        Bucket.Taken req = requests.take(now, 1);
        Bucket.Taken tok = tokens.take(now, req.granted ? cost : 0);
        boolean admitted = req.granted && tok.granted;
        Map<String, String> headers = new LinkedHashMap<>();
        if (hinted) {
            headers.put("x-ratelimit-limit-requests", String.valueOf(REQUEST_LIMIT));
            headers.put("x-ratelimit-remaining-requests", String.valueOf(req.remaining));
            headers.put("x-ratelimit-reset-requests", goDuration(req.millisUntilFull));
            headers.put("x-ratelimit-limit-tokens", String.valueOf(tokens.burst));
            headers.put("x-ratelimit-remaining-tokens", String.valueOf(tok.remaining));
            headers.put("x-ratelimit-reset-tokens", goDuration(tok.millisUntilFull));
        }
        if (admitted) {
            tokensCharged.addAndGet(cost);
            return new Admission(true, maxTokens, promptTokens, headers, null);
        }
        throttled.incrementAndGet();
        long waitMillis = req.granted ? tok.millisUntilFits : req.millisUntilFits;
        if (hinted) {
            headers.put("retry-after-ms", String.valueOf(Math.max(1, waitMillis)));
        }
        String message = hinted
                ? LIMIT_MESSAGE + ": Limit " + tokens.burst + ", Used " + (tokens.burst - tok.remaining) + ", Requested "
                + cost + ". Please try again in " + goDuration(Math.max(1, waitMillis)) + "."
                : LIMIT_MESSAGE + ".";
        String refusal = "{\"error\":{\"message\":\"" + message + " Visit https://platform.openai.com/account/rate-limits "
                + "to learn more.\",\"type\":\"" + (req.granted ? "tokens" : "requests") + "\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}";
        return new Admission(false, maxTokens, promptTokens, headers, refusal);
    }

    /**
     * The script behind this limit: a request that fits is answered by {@code script} (so the
     * script counts only the attempts the limit let through), one that does not gets the 429; every
     * answer carries the hints, and the 429 the digest of its body ({@code x-body-sha256}).
     */
    public Function<Recorded, Reply> before(Function<Recorded, Reply> script) {
        return request -> {
            Admission admission = admit(new String(request.body, StandardCharsets.UTF_8));
            Reply reply = admission.admitted() ? script.apply(request)
                    : Reply.status(429).json(admission.refusal()).header("x-body-sha256", digest(admission.refusal()));
            admission.headers().forEach(reply::header);
            return reply;
        };
    }

    private static String digest(String body) {
        try {
            return Bodies.sha256(body.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
