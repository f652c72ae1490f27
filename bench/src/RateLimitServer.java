import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

/**
 * The rate-limit benchmark's AI endpoint: OpenAI's /v1/chat/completions behind a token bucket of
 * {@code rate} tokens per second holding at most {@code burst}, one token per request. A request
 * that finds a token waits {@code service-ms} (the model's work) and gets a chat completion; one
 * that finds none gets OpenAI's 429 at once. In {@code hinted} mode every response carries
 * OpenAI's x-ratelimit-*-requests headers and a 429 also the exact {@code retry-after-ms} until
 * the next token; in {@code bare} mode there are no hint headers at all.
 *
 * <p>A second port takes control calls from the load generator, never seen by an agent:
 * {@code POST /reset?mode=hinted|bare} (full bucket, empty log) and {@code GET /log} (the bucket's
 * settings on the first line, then one line per chat request since the reset:
 * {@code arrival-ns answered-ns status phase call}, times from the reset; answered = the reply is
 * complete and about to be written).
 *
 * <p>Usage: {@code java RateLimitServer <rate> <burst> <service-ms>}; prints
 * {@code ports <ai> <control>} once listening.
 */
public final class RateLimitServer {
    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
            + "\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\",\"refusal\":null},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
            + "\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
    // no "try again in ..." in the message: in bare mode nothing may hint at the wait
    private static final byte[] RATE_LIMITED = ("{\"error\":{\"message\":\"Rate limit reached for requests\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] MODELS = ("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\","
            + "\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    private final double rate;
    private final int burst;
    private final long serviceMillis;
    private volatile Run run;

    private RateLimitServer(double rate, int burst, long serviceMillis) {
        this.rate = rate;
        this.burst = burst;
        this.serviceMillis = serviceMillis;
        this.run = new Run(true, new TokenBucket(rate, burst, System.nanoTime()));
    }

    public static void main(String[] args) throws IOException {
        // without it the JDK server's small writes meet delayed ACKs and add ~40 ms per response
        System.setProperty("sun.net.httpserver.nodelay", "true");
        RateLimitServer limiter = new RateLimitServer(Double.parseDouble(args[0]), Integer.parseInt(args[1]),
                Long.parseLong(args[2]));
        HttpServer ai = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        // one thread per waiting request: service time is a sleep, and a burst may hold 100 at once
        ai.setExecutor(Executors.newCachedThreadPool());
        ai.createContext("/v1/chat/completions", limiter::chat);
        ai.createContext("/v1/models", exchange -> reply(exchange, 200, MODELS));
        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/reset", limiter::reset);
        control.createContext("/log", limiter::log);
        ai.start();
        control.start();
        System.out.println("ports " + ai.getAddress().getPort() + " " + control.getAddress().getPort());
    }

    private void chat(HttpExchange exchange) throws IOException {
        Run current = run;
        long arrival = System.nanoTime();
        exchange.getRequestBody().readAllBytes();
        TokenBucket.Decision decision = current.bucket.take(arrival);
        if (current.hinted) {
            var headers = exchange.getResponseHeaders();
            headers.set("x-ratelimit-limit-requests", Integer.toString(burst));
            headers.set("x-ratelimit-remaining-requests", Integer.toString(decision.remaining()));
            headers.set("x-ratelimit-reset-requests", goDuration(decision.nanosUntilFull()));
            if (!decision.granted()) {
                headers.set("retry-after-ms", Long.toString(ceilMillis(decision.nanosUntilFits())));
            }
        }
        int status = decision.granted() ? 200 : 429;
        if (decision.granted()) {
            sleep(serviceMillis);
        }
        // logged before the reply goes out, so the log is complete once the app has its last answer
        current.log.add((arrival - current.bucket.startNanos) + " " + (System.nanoTime() - current.bucket.startNanos)
                + " " + status + " " + benchHeader(exchange, "x-bench-phase") + " " + benchHeader(exchange, "x-bench-call"));
        reply(exchange, status, decision.granted() ? COMPLETION : RATE_LIMITED);
    }

    private void reset(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        run = new Run(!"mode=bare".equals(query), new TokenBucket(rate, burst, System.nanoTime()));
        reply(exchange, 200, new byte[0]);
    }

    private void log(HttpExchange exchange) throws IOException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "rate %s burst %d service-ms %d mode %s%n",
                rate, burst, serviceMillis, run.hinted ? "hinted" : "bare"));
        for (String line : run.log) {
            out.append(line).append('\n');
        }
        reply(exchange, 200, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String benchHeader(HttpExchange exchange, String name) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null ? "-" : value;
    }

    static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rounded up: a client that waits exactly this long finds the token there. */
    static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }

    /** Go's time.Duration format as OpenAI sends it ({@code 50ms}, {@code 1.25s}, {@code 6m0s}), to the millisecond. */
    static String goDuration(long nanos) {
        long millis = ceilMillis(nanos);
        if (millis == 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        String seconds = new java.math.BigDecimal(millis % 60_000).movePointLeft(3).stripTrailingZeros().toPlainString();
        return millis < 60_000 ? seconds + "s" : (millis / 60_000) + "m" + seconds + "s";
    }

    /** The settings and state of one benchmark row: reset between rows. */
    private static final class Run {
        final boolean hinted;
        final TokenBucket bucket;
        final Queue<String> log = new ConcurrentLinkedQueue<>();

        Run(boolean hinted, TokenBucket bucket) {
            this.hinted = hinted;
            this.bucket = bucket;
        }
    }

    /** Refills continuously at {@code rate} per second up to {@code burst}; starts full. */
    static final class TokenBucket {
        record Decision(boolean granted, int remaining, long nanosUntilFull, long nanosUntilFits) {
        }

        final long startNanos;
        private final double perNano;
        private final int burst;
        private double tokens;
        private long refilledAt;

        TokenBucket(double rate, int burst, long now) {
            this.perNano = rate / 1e9;
            this.burst = burst;
            this.tokens = burst;
            this.startNanos = now;
            this.refilledAt = now;
        }

        synchronized Decision take(long now) {
            return take(now, 1);
        }

        /**
         * Takes {@code cost} tokens if that many are there; otherwise takes nothing and says how long
         * until they will be (a cost above the burst never fits: {@link Long#MAX_VALUE}).
         */
        synchronized Decision take(long now, double cost) {
            tokens = Math.min(burst, tokens + Math.max(0, now - refilledAt) * perNano);
            refilledAt = Math.max(refilledAt, now);
            boolean granted = tokens >= cost;
            if (granted) {
                tokens -= cost;
            }
            long untilFits = granted ? 0 : cost > burst ? Long.MAX_VALUE : (long) Math.ceil((cost - tokens) / perNano);
            return new Decision(granted, (int) tokens, (long) ((burst - tokens) / perNano), untilFits);
        }
    }
}
