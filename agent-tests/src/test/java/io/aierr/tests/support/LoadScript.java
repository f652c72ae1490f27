package io.aierr.tests.support;

import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The load suite's server script: the answer to a request is a pure function of (seed, call,
 * attempt), the call being the request's {@code x-call} header and the attempt how many requests of
 * that call came so far. Each call draws one kind; a retryable kind fails the same way one or two
 * times and then succeeds, a terminal one answers the same at every attempt. So a run without aierr
 * gets each call's first answer, and a run with aierr must end each call in a success or in that
 * very answer (the failure's body is the same at every attempt):
 *
 * <pre>
 *   55 %  200 chat completion
 *    5 %  200 slow: 8 KiB written in 8 pieces, 5 ms apart
 *   10 %  429 rate_limit_exceeded with retry-after-ms 5..50, then 200
 *    5 %  429 rate_limit_exceeded with no hint, then 200
 *    5 %  450 queue full (PAI-EAS), then 200
 *    5 %  503 no healthy upstream (Envoy), then 200
 *    5 %  429 insufficient_quota, always
 *    5 %  400 context_length_exceeded, always
 *    5 %  200 whose body breaks mid-way (8 KiB announced, 100 bytes sent, connection closed), always
 * </pre>
 *
 * Every answer carries {@code x-body-sha256}, the digest of the body the server means to send, so
 * the app can tell a body that reached it unchanged. The same mix and seed as bench/src/SporadicServer,
 * reshaped so that the outcome rule above is exact.
 */
public final class LoadScript implements Function<Recorded, Reply> {
    /** The request header that names the call. */
    public static final String CALL_HEADER = "x-call";

    /** The kinds, in percent, in draw order. */
    public enum Kind {
        OK(55, false), SLOW_OK(5, false), HINTED_429(10, true), BARE_429(5, true), QUEUE_FULL_450(5, true),
        NO_UPSTREAM_503(5, true), QUOTA_429(5, false), CONTEXT_400(5, false), CUT_200(5, false);

        final int percent;
        /** Fails a few times, then succeeds. */
        final boolean retryable;

        Kind(int percent, boolean retryable) {
            this.percent = percent;
            this.retryable = retryable;
        }

        static Kind of(int draw) {
            int upTo = 0;
            for (Kind kind : values()) {
                upTo += kind.percent;
                if (draw < upTo) {
                    return kind;
                }
            }
            throw new IllegalStateException("the mix does not add up to 100");
        }
    }

    private static final String QUOTA = Bodies.OPENAI_INSUFFICIENT_QUOTA;
    private static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for requests\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
    private static final int SLOW_SIZE = 8 * 1024;
    private static final int SLOW_PIECES = 8;
    private static final long SLOW_PAUSE_MILLIS = 5;
    private static final int CUT_SENT = 100;

    private final long seed;
    private final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();

    public LoadScript(long seed) {
        this.seed = seed;
    }

    /** What call {@code call} is scripted to be. */
    public Kind kind(long call) {
        return Kind.of(random(call, 0).nextInt(100));
    }

    /** How many times a retryable call fails before its success: 1 or 2. */
    private int failures(long call) {
        return random(call, -1).nextInt(1, 3);
    }

    private SplittableRandom random(long call, int attempt) {
        return new SplittableRandom((seed * 1_000_003L + call) * 31 + attempt);
    }

    @Override
    public Reply apply(Recorded request) {
        String header = request.headers.get(CALL_HEADER);
        long call = header == null ? -1 : Long.parseLong(header);
        int attempt = attempts.computeIfAbsent(call, c -> new AtomicInteger()).incrementAndGet();
        return answer(call, attempt);
    }

    /** The answer to the call's attempt (1 for the first). */
    public Reply answer(long call, int attempt) {
        Kind kind = kind(call);
        if (kind == Kind.OK || kind.retryable && attempt > failures(call)) {
            return success(call);
        }
        if (kind == Kind.SLOW_OK) {
            return slow(call);
        }
        Reply failure = switch (kind) {
            case HINTED_429 -> Reply.status(429).json(RATE_LIMITED)
                    .header("retry-after-ms", Integer.toString(random(call, attempt).nextInt(5, 51)));
            case BARE_429 -> Reply.status(429).json(RATE_LIMITED);
            case QUEUE_FULL_450 -> Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL);
            case NO_UPSTREAM_503 -> Reply.status(503).header("server", "envoy").text(Bodies.NO_HEALTHY_UPSTREAM);
            case QUOTA_429 -> Reply.status(429).json(QUOTA);
            case CONTEXT_400 -> Reply.status(400).json(Bodies.OPENAI_CONTEXT_LENGTH);
            case CUT_200 -> Reply.status(200).bytes(Arrays.copyOf(completion(call, SLOW_SIZE), CUT_SENT),
                    "application/json").cutShort(SLOW_SIZE);
            default -> throw new IllegalStateException(kind.name());
        };
        return digested(failure, failure.body);
    }

    private static Reply success(long call) {
        byte[] body = completion(call, 0);
        return digested(Reply.status(200).bytes(body, "application/json"), body);
    }

    private static Reply slow(long call) {
        byte[] body = completion(call, SLOW_SIZE);
        List<String> pieces = new ArrayList<>();
        String text = new String(body, StandardCharsets.UTF_8);
        int piece = text.length() / SLOW_PIECES;
        for (int i = 0; i < SLOW_PIECES; i++) {
            pieces.add(text.substring(i * piece, i == SLOW_PIECES - 1 ? text.length() : (i + 1) * piece));
        }
        return digested(Reply.status(200).streamed(pieces, SLOW_PAUSE_MILLIS, "application/json"), body);
    }

    private static Reply digested(Reply reply, byte[] body) {
        try {
            return reply.header("x-body-sha256", Bodies.sha256(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A completion naming its call (so that no two calls get the same bytes), padded to {@code size}. */
    static byte[] completion(long call, int size) {
        String head = "{\"id\":\"chatcmpl-" + call + "\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello ";
        String tail = "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
                + "\"total_tokens\":12}}";
        StringBuilder content = new StringBuilder().append(call);
        while (head.length() + content.length() + tail.length() < size) {
            content.append(" lorem");
        }
        return (head + content + tail).getBytes(StandardCharsets.UTF_8);
    }
}
