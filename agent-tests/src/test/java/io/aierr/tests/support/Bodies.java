package io.aierr.tests.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Error bodies as the providers send them (wire-format facts from their docs and the seeds). */
public final class Bodies {
    private Bodies() {
    }

    public static final String OPENAI_RATE_LIMIT = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in "
            + "organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";

    public static final String OPENAI_INSUFFICIENT_QUOTA = "{\"error\":{\"message\":\"You exceeded your current quota, "
            + "please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
            + "\"code\":\"insufficient_quota\"}}";

    public static final String PAI_EAS_QUEUE_FULL = "request dropped because the queue is full";

    public static final String NO_HEALTHY_UPSTREAM = "no healthy upstream";

    public static final String OPENAI_CONTEXT_LENGTH = "{\"error\":{\"message\":\"This model's maximum context length "
            + "is 128000 tokens. However, your messages resulted in 130532 tokens.\",\"type\":\"invalid_request_error\","
            + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}";

    public static final String CHAT_COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello!\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}";

    public static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Incompressible bytes, the same for the same seed. */
    public static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
