import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sporadic-error benchmark's AI endpoint: OpenAI's /v1/chat/completions answering a seeded mix
 * with no rate limit behind it, the way a gateway sheds "peak load" 429s and an inference service
 * sheds 450s and 503s while most requests pass:
 *
 * <pre>
 *   60 %  200 chat completion (at once)
 *   10 %  429 rate_limit_exceeded with retry-after-ms 5..50
 *    5 %  429 rate_limit_exceeded, no hint
 *    5 %  450 "request dropped because the queue is full" (PAI-EAS)
 *    5 %  503 "no healthy upstream" (Envoy in front of PAI-EAS)
 *    5 %  429 insufficient_quota (OpenAI's body)
 *    5 %  400 context_length_exceeded (OpenAI's body)
 *    5 %  200 slow: a 64 KiB completion written in 16 chunks over slow-ms
 * </pre>
 *
 * <p>The answer is a pure function of (seed, call, attempt): the call is the request's
 * {@code x-bench-call} header and the attempt counts that call's requests since the reset. Every
 * row of a run thus meets the same scripts (call 17's third request gets the same answer whichever
 * client sends it, and whenever), so rows differ only in how their client and agent respond.
 *
 * <p>A second port takes control calls, never seen by an agent: {@code POST /reset} (forgets
 * attempts, empties the log) and {@code GET /log}: one line per chat request since the reset,
 * {@code arrival-ns answered-ns status kind call attempt}, times from the reset.
 *
 * <p>Usage: {@code java SporadicServer <seed> <slow-ms>}; prints {@code ports <ai> <control>} once listening.
 */
public final class SporadicServer {
    /** The mix, in percent, in draw order. */
    enum Kind {
        OK(60), HINTED_429(10), BARE_429(5), QUEUE_FULL_450(5), NO_UPSTREAM_503(5), QUOTA_429(5), CONTEXT_400(5),
        SLOW_OK(5);

        final int percent;

        Kind(int percent) {
            this.percent = percent;
        }

        static Kind of(int draw) {
            int upTo = 0;
            for (Kind kind : values()) {
                upTo += kind.percent;
                if (draw < upTo) {
                    return kind;
                }
            }
            throw new IllegalStateException("mix does not add up to 100");
        }
    }

    private static final byte[] COMPLETION = completion("ok");
    private static final byte[] SLOW_COMPLETION = completionOfSize(64 * 1024);
    private static final byte[] RATE_LIMITED = ("{\"error\":{\"message\":\"Rate limit reached for requests\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] QUOTA = ("{\n  \"error\": {\n    \"message\": \"You exceeded your current quota, please "
            + "check your plan and billing details. For more information on this error, read the docs: "
            + "https://platform.openai.com/docs/guides/error-codes/api-errors.\",\n    \"type\": \"insufficient_quota\",\n"
            + "    \"param\": null,\n    \"code\": \"insufficient_quota\"\n  }\n}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONTEXT_LENGTH = ("{\n  \"error\": {\n    \"message\": \"This model's maximum context "
            + "length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of "
            + "the messages.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"messages\",\n"
            + "    \"code\": \"context_length_exceeded\"\n  }\n}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] QUEUE_FULL = "request dropped because the queue is full".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_UPSTREAM = "no healthy upstream".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MODELS = ("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\","
            + "\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}").getBytes(StandardCharsets.UTF_8);
    private static final int SLOW_CHUNKS = 16;

    private final long seed;
    private final long slowMillis;
    private volatile Run run = new Run(System.nanoTime());

    private SporadicServer(long seed, long slowMillis) {
        this.seed = seed;
        this.slowMillis = slowMillis;
    }

    public static void main(String[] args) throws IOException {
        // without it the JDK server's small writes meet delayed ACKs and add ~40 ms per response
        System.setProperty("sun.net.httpserver.nodelay", "true");
        SporadicServer server = new SporadicServer(Long.parseLong(args[0]), Long.parseLong(args[1]));
        HttpServer ai = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        // one thread per request in progress: slow answers sleep between chunks, 200 callers at once
        ai.setExecutor(Executors.newCachedThreadPool());
        ai.createContext("/v1/chat/completions", server::chat);
        ai.createContext("/v1/models", exchange -> reply(exchange, 200, "application/json", MODELS));
        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/reset", server::reset);
        control.createContext("/log", server::log);
        ai.start();
        control.start();
        System.out.println("ports " + ai.getAddress().getPort() + " " + control.getAddress().getPort());
    }

    /** What a call's attempt gets: its kind and, for a hinted 429, the hint in ms. */
    record Script(Kind kind, int hintMillis) {
    }

    /** The answer to a call's attempt: the same for every row of a run. */
    static Script draw(long seed, long call, int attempt) {
        SplittableRandom random = new SplittableRandom((seed * 1_000_003L + call) * 31 + attempt);
        return new Script(Kind.of(random.nextInt(100)), random.nextInt(5, 51));
    }

    private void chat(HttpExchange exchange) throws IOException {
        Run current = run;
        long arrival = System.nanoTime();
        exchange.getRequestBody().readAllBytes();
        String callHeader = exchange.getRequestHeaders().getFirst("x-bench-call");
        long call = callHeader == null ? -1 : Long.parseLong(callHeader);
        int attempt = current.attempts.computeIfAbsent(call, c -> new AtomicInteger()).incrementAndGet();
        Script script = draw(seed, call, attempt);
        Kind kind = script.kind();
        switch (kind) {
            case HINTED_429:
                exchange.getResponseHeaders().set("retry-after-ms", Integer.toString(script.hintMillis()));
                answer(current, exchange, arrival, kind, call, attempt, 429, "application/json", RATE_LIMITED);
                break;
            case BARE_429:
                answer(current, exchange, arrival, kind, call, attempt, 429, "application/json", RATE_LIMITED);
                break;
            case QUEUE_FULL_450:
                answer(current, exchange, arrival, kind, call, attempt, 450, "text/plain; charset=utf-8",
                        QUEUE_FULL);
                break;
            case NO_UPSTREAM_503:
                exchange.getResponseHeaders().set("server", "envoy");
                answer(current, exchange, arrival, kind, call, attempt, 503, "text/plain", NO_UPSTREAM);
                break;
            case QUOTA_429:
                answer(current, exchange, arrival, kind, call, attempt, 429, "application/json", QUOTA);
                break;
            case CONTEXT_400:
                answer(current, exchange, arrival, kind, call, attempt, 400, "application/json", CONTEXT_LENGTH);
                break;
            case SLOW_OK:
                slow(current, exchange, arrival, call, attempt);
                break;
            default:
                answer(current, exchange, arrival, kind, call, attempt, 200, "application/json", COMPLETION);
        }
    }

    private static void answer(Run current, HttpExchange exchange, long arrival, Kind kind, long call, int attempt,
            int status, String contentType, byte[] body) throws IOException {
        current.logged(arrival, status, kind, call, attempt);
        reply(exchange, status, contentType, body);
    }

    /** Headers at once, then the 64 KiB body in chunks spread over slow-ms: a long answer being generated. */
    private void slow(Run current, HttpExchange exchange, long arrival, long call, int attempt) throws IOException {
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, SLOW_COMPLETION.length);
        int chunk = SLOW_COMPLETION.length / SLOW_CHUNKS;
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < SLOW_CHUNKS; i++) {
                if (i > 0) {
                    sleep(slowMillis / (SLOW_CHUNKS - 1));
                }
                if (i == SLOW_CHUNKS - 1) {
                    // logged before the last bytes leave, so the log is complete once the app has its answer
                    current.logged(arrival, 200, Kind.SLOW_OK, call, attempt);
                }
                int end = i == SLOW_CHUNKS - 1 ? SLOW_COMPLETION.length : (i + 1) * chunk;
                out.write(SLOW_COMPLETION, i * chunk, end - i * chunk);
                out.flush();
            }
        }
        exchange.close();
    }

    private void reset(HttpExchange exchange) throws IOException {
        run = new Run(System.nanoTime());
        reply(exchange, 200, "text/plain", new byte[0]);
    }

    private void log(HttpExchange exchange) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : run.log) {
            out.append(line).append('\n');
        }
        reply(exchange, 200, "text/plain", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("content-type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] completion(String content) {
        return ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":1,\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
    }

    /** A completion of exactly {@code size} bytes, its content padded with words. */
    private static byte[] completionOfSize(int size) {
        int frame = completion("").length;
        StringBuilder content = new StringBuilder();
        while (content.length() < size - frame) {
            content.append("lorem ");
        }
        content.setLength(size - frame);
        return completion(content.toString());
    }

    /** One row's attempts and log: reset between rows. */
    private static final class Run {
        final long startNanos;
        final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Queue<String> log = new ConcurrentLinkedQueue<>();

        Run(long startNanos) {
            this.startNanos = startNanos;
        }

        void logged(long arrival, int status, Kind kind, long call, int attempt) {
            log.add((arrival - startNanos) + " " + (System.nanoTime() - startNanos) + " " + status + " "
                    + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + call + " " + attempt);
        }
    }
}
