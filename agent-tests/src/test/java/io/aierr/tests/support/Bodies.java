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

    /** Anthropic's and, in OpenAI's error shape, an OpenAI-compatible server's answer to a 529 overload. */
    public static final String ANTHROPIC_OVERLOADED = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            + "\"message\":\"Overloaded\"}}";

    public static final String OPENAI_OVERLOADED = "{\"error\":{\"message\":\"The engine is currently overloaded, please "
            + "try again later\",\"type\":\"overloaded_error\",\"param\":null,\"code\":null}}";

    public static final String ANTHROPIC_RATE_LIMIT = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
            + "\"message\":\"This request would exceed the rate limit for your organization of 50 requests per minute.\"}}";

    /** Anthropic's answer when the credit is spent (Anthropic sends it as a 400; a test may send it as a 429). */
    public static final String ANTHROPIC_CREDIT_TOO_LOW = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
            + "\"message\":\"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to "
            + "upgrade or purchase credits.\"}}";

    public static final String ANTHROPIC_MESSAGE = "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-3-5-haiku-20241022\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":3}}";

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
