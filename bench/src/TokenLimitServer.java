import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token benchmark's AI endpoint: OpenAI's /v1/chat/completions behind a bucket of
 * {@code token-rate} tokens per second holding at most {@code token-burst}, charging each request
 * max(its {@code max_tokens} / {@code max_completion_tokens} / {@code max_output_tokens}, body
 * chars / 4) when it is admitted, and behind a request bucket ({@code request-rate},
 * {@code request-burst}) meant never to bind. An admitted request waits {@code service-ms} and gets
 * a completion whose {@code usage} says prompt_tokens = chars / 4 and completion_tokens = half its
 * token limit (at least 1); a request whose cost does not fit gets OpenAI's 429 for a token limit
 * at once, charged nothing.
 *
 * <p>{@code hinted}: every response carries exact {@code x-ratelimit-{limit,remaining,reset}-tokens}
 * and {@code -requests} (reset = until that bucket is full, in Go's duration format), and a 429 the
 * {@code retry-after-ms} until <em>its</em> cost fits, also written in its message as OpenAI does
 * ("Limit 10000, Used 9800, Requested 750. Please try again in 55ms."). {@code bare}: no hint
 * headers, and a message without numbers.
 *
 * <p>The control port is {@link RateLimitServer}'s: {@code POST /reset?mode=hinted|bare}, {@code GET
 * /log} (settings line, then {@code arrival-ns answered-ns status phase call cost} per chat request).
 *
 * <p>Usage: {@code java TokenLimitServer <token-rate> <token-burst> <request-rate> <request-burst>
 * <service-ms>}; prints {@code ports <ai> <control>} once listening.
 */
public final class TokenLimitServer {
    private static final Pattern TOKEN_LIMIT = Pattern.compile("\"max_(?:completion_|output_)?tokens\"\\s*:\\s*(\\d+)");
    private static final String LIMIT_MESSAGE = "Rate limit reached for gpt-4o-mini in organization org-bench on "
            + "tokens per min (TPM)";
    private static final String LEARN_MORE = "Visit https://platform.openai.com/account/rate-limits to learn more.";

    private final double tokenRate;
    private final int tokenBurst;
    private final double requestRate;
    private final int requestBurst;
    private final long serviceMillis;
    private volatile Run run;

    private TokenLimitServer(double tokenRate, int tokenBurst, double requestRate, int requestBurst, long serviceMillis) {
        this.tokenRate = tokenRate;
        this.tokenBurst = tokenBurst;
        this.requestRate = requestRate;
        this.requestBurst = requestBurst;
        this.serviceMillis = serviceMillis;
        this.run = newRun(true);
    }

    public static void main(String[] args) throws IOException {
        // without it the JDK server's small writes meet delayed ACKs and add ~40 ms per response
        System.setProperty("sun.net.httpserver.nodelay", "true");
        TokenLimitServer limiter = new TokenLimitServer(Double.parseDouble(args[0]), Integer.parseInt(args[1]),
                Double.parseDouble(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
        HttpServer ai = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        ai.setExecutor(Executors.newCachedThreadPool());
        ai.createContext("/v1/chat/completions", limiter::chat);
        ai.createContext("/v1/models", exchange -> RateLimitServer.reply(exchange, 200, models()));
        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/reset", limiter::reset);
        control.createContext("/log", limiter::log);
        ai.start();
        control.start();
        System.out.println("ports " + ai.getAddress().getPort() + " " + control.getAddress().getPort());
    }

    private Run newRun(boolean hinted) {
        long now = System.nanoTime();
        return new Run(hinted, new RateLimitServer.TokenBucket(tokenRate, tokenBurst, now),
                new RateLimitServer.TokenBucket(requestRate, requestBurst, now));
    }

    private void chat(HttpExchange exchange) throws IOException {
        Run current = run;
        long arrival = System.nanoTime();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int promptTokens = body.length() / 4;
        Matcher limit = TOKEN_LIMIT.matcher(body);
        int maxTokens = limit.find() ? Integer.parseInt(limit.group(1)) : 0;
        int cost = Math.max(maxTokens, promptTokens);
        RateLimitServer.TokenBucket.Decision request = current.requests.take(arrival);
        RateLimitServer.TokenBucket.Decision tokens = request.granted()
                ? current.tokens.take(arrival, cost) : current.tokens.take(arrival, 0);
        boolean granted = request.granted() && tokens.granted();
        var headers = exchange.getResponseHeaders();
        if (current.hinted) {
            headers.set("x-ratelimit-limit-requests", Integer.toString(requestBurst));
            headers.set("x-ratelimit-remaining-requests", Integer.toString(request.remaining()));
            headers.set("x-ratelimit-reset-requests", RateLimitServer.goDuration(request.nanosUntilFull()));
            headers.set("x-ratelimit-limit-tokens", Integer.toString(tokenBurst));
            headers.set("x-ratelimit-remaining-tokens", Integer.toString(tokens.remaining()));
            headers.set("x-ratelimit-reset-tokens", RateLimitServer.goDuration(tokens.nanosUntilFull()));
        }
        byte[] reply;
        if (granted) {
            RateLimitServer.sleep(serviceMillis);
            reply = completion(promptTokens, Math.max(1, maxTokens / 2));
        } else {
            long wait = request.granted() ? tokens.nanosUntilFits() : request.nanosUntilFits();
            if (current.hinted && wait != Long.MAX_VALUE) {
                headers.set("retry-after-ms", Long.toString(RateLimitServer.ceilMillis(wait)));
            }
            reply = request.granted() ? tokensExceeded(current.hinted, tokens.remaining(), cost, wait)
                    : requestsExceeded();
        }
        int status = granted ? 200 : 429;
        // logged before the reply goes out, so the log is complete once the app has its last answer
        long start = current.tokens.startNanos;
        current.log.add((arrival - start) + " " + (System.nanoTime() - start) + " " + status + " "
                + RateLimitServer.benchHeader(exchange, "x-bench-phase") + " "
                + RateLimitServer.benchHeader(exchange, "x-bench-call") + " " + cost);
        RateLimitServer.reply(exchange, status, reply);
    }

    /** OpenAI's 429 for a token limit; bare: without the numbers and the "try again in" a client could read. */
    private byte[] tokensExceeded(boolean hinted, int remaining, int cost, long waitNanos) {
        String message = !hinted ? LIMIT_MESSAGE + ". " + LEARN_MORE
                : LIMIT_MESSAGE + ": Limit " + tokenBurst + ", Used " + (tokenBurst - remaining) + ", Requested " + cost
                + "." + (waitNanos == Long.MAX_VALUE ? "" : " Please try again in " + RateLimitServer.goDuration(waitNanos)
                + ".") + " " + LEARN_MORE;
        return ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"tokens\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] requestsExceeded() {
        return ("{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-bench on requests "
                + "per min (RPM). " + LEARN_MORE + "\",\"type\":\"requests\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] completion(int promptTokens, int completionTokens) {
        return ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"ok\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] models() {
        return ("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1700000000,"
                + "\"owned_by\":\"bench\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private void reset(HttpExchange exchange) throws IOException {
        run = newRun(!"mode=bare".equals(exchange.getRequestURI().getQuery()));
        RateLimitServer.reply(exchange, 200, new byte[0]);
    }

    /** The settings line starts as {@link RateLimitServer}'s (rate and burst of the binding bucket: tokens). */
    private void log(HttpExchange exchange) throws IOException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "rate %s burst %d service-ms %d mode %s request-rate %s request-burst %d%n", tokenRate, tokenBurst,
                serviceMillis, run.hinted ? "hinted" : "bare", requestRate, requestBurst));
        for (String line : run.log) {
            out.append(line).append('\n');
        }
        RateLimitServer.reply(exchange, 200, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The settings and state of one benchmark row: reset between rows. */
    private static final class Run {
        final boolean hinted;
        final RateLimitServer.TokenBucket tokens;
        final RateLimitServer.TokenBucket requests;
        final Queue<String> log = new ConcurrentLinkedQueue<>();

        Run(boolean hinted, RateLimitServer.TokenBucket tokens, RateLimitServer.TokenBucket requests) {
            this.hinted = hinted;
            this.tokens = tokens;
            this.requests = requests;
        }
    }
}
