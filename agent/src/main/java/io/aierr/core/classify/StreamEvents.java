package io.aierr.core.classify;

import io.aierr.core.Headers;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The errors a {@code 200 text/event-stream} answer carries inside its events, read one event at a
 * time (its {@code event:} name and its joined {@code data:} lines):
 * <ul>
 *   <li>an error event: Anthropic's and DashScope's {@code event: error}, a top-level
 *       {@code "type":"error"} (Anthropic, OpenAI responses), an {@code error} object
 *       (OpenAI-compatible servers such as vLLM, Gemini), vLLM's {@code "object":"error"}, the
 *       OpenAI responses API's {@code response.failed}, an AWS event-stream exception
 *       ({@code throttlingException}, Bedrock); it is classified as an error response would be, its
 *       status the one the event names ({@code error.code} 429) or 0 when it names none;</li>
 *   <li>an answer stopped by a content filter: {@code finish_reason: content_filter} (OpenAI,
 *       Azure), Gemini's {@code finishReason} SAFETY-like values or {@code promptFeedback.blockReason},
 *       Anthropic's {@code stop_reason: refusal}, a responses-API answer left incomplete by the filter.</li>
 * </ul>
 * An event whose data is not JSON is never an error here: no guessing from free text.
 */
public final class StreamEvents {
    /** Gemini's finish reasons that mean the answer was blocked, not finished. */
    private static final String[] BLOCKED_FINISH = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII",
        "IMAGE_SAFETY"};
    /** Where an event names the HTTP status its error would have had. */
    /**
     * One of these words is in every event {@link #errorIn} can find something in ({@code "error"},
     * {@code response.failed}, the filter reasons and fields below): an event without any is not parsed.
     */
    private static final byte[][] TELLING_WORDS = ascii("error", "failed", "content_filter", "finishReason",
            "blockReason", "refusal");
    private static final String[] STATUS_PATHS = {"error.code", "code", "status_code", "error.status_code",
        "originalStatusCode"};

    /** The first error in a whole streamed body, where it was, and how many events the body had. */
    public static final class Found {
        /** The classified error, or null when no event carried one. */
        public final ClassifiedError error;
        /** 1-based position of that event, or 0 when there was none. */
        public final int index;
        /** The event's name, or null. */
        public final String event;
        public final int events;

        Found(ClassifiedError error, int index, String event, int events) {
            this.error = error;
            this.index = index;
            this.event = event;
            this.events = events;
        }
    }

    private StreamEvents() {
    }

    /**
     * The error this event carries, classified; null when it carries none.
     *
     * @param event the event's name, or null when it had no {@code event:} line
     * @param data  the event's data lines joined by newlines, as UTF-8
     */
    public static ClassifiedError errorIn(String provider, String event, byte[] data) {
        if (data == null || data.length == 0 || data[0] != '{' && data[0] != '[') {
            return null;
        }
        if (!isErrorName(event) && !mentionsAny(data, TELLING_WORDS)) {
            return null; // most events are deltas: a byte scan spares them the JSON parse
        }
        JsonFields json = JsonFields.parse(data);
        if (!json.isJson) {
            return null;
        }
        if (isErrorEvent(event, json)) {
            return ErrorClassifier.classify(provider, new ErrorResponse(null, null, statusNamed(json),
                    awsExceptionHeader(event), data, false, System.currentTimeMillis()));
        }
        String blocked = blockedReason(json);
        if (blocked == null) {
            return null;
        }
        return new ClassifiedError(provider == null ? "unknown" : provider, Category.CONTENT_FILTERED, 200, blocked,
                null, "the answer was stopped by a content filter (" + blocked + ")", false, null,
                Solutions.forError(provider, Category.CONTENT_FILTERED));
    }

    /** The first event of a complete streamed body that carries an error or a content-filter stop. */
    public static Found firstIn(String provider, String contentType, byte[] body) {
        List<StreamBody.Event> events = StreamBody.events(contentType, body);
        for (int i = 0; i < events.size(); i++) {
            StreamBody.Event e = events.get(i);
            ClassifiedError error = errorIn(provider, e.name, e.data);
            if (error != null) {
                return new Found(error, i + 1, e.name, events.size());
            }
        }
        return new Found(null, 0, null, events.size());
    }

    private static boolean isErrorName(String event) {
        return "error".equals(event) || "response.failed".equals(event) || isAwsException(event);
    }

    /** Whether {@code data} holds any of these ASCII words. */
    private static boolean mentionsAny(byte[] data, byte[][] words) {
        for (byte[] word : words) {
            outer:
            for (int i = 0, last = data.length - word.length; i <= last; i++) {
                for (int j = 0; j < word.length; j++) {
                    if (data[i + j] != word[j]) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static boolean isErrorEvent(String event, JsonFields json) {
        return isErrorName(event)
                || "error".equals(json.first("type")) || "response.failed".equals(json.first("type"))
                || "error".equals(json.first("object"))
                || json.first("error.message", "error.code", "error.type", "error.status", "error") != null;
    }

    /** AWS event streams name a modeled exception by its type: {@code throttlingException}. */
    private static boolean isAwsException(String event) {
        return event != null && event.length() > "Exception".length() && event.endsWith("Exception");
    }

    /** The exception type as Bedrock's HTTP answers name it, so the classifier reads it as their code. */
    private static Headers awsExceptionHeader(String event) {
        if (!isAwsException(event)) {
            return Headers.EMPTY;
        }
        String type = Character.toUpperCase(event.charAt(0)) + event.substring(1);
        return Headers.of(Map.of("x-amzn-errortype", List.of(type)));
    }

    /** The HTTP status an error event names ({@code error.code: 429}, {@code status_code}), or 0. */
    private static int statusNamed(JsonFields json) {
        for (String path : STATUS_PATHS) {
            String value = json.first(path);
            if (value != null && value.length() == 3 && value.chars().allMatch(Character::isDigit)) {
                int status = Integer.parseInt(value);
                if (status >= 400 && status < 600) {
                    return status;
                }
            }
        }
        return 0;
    }

    private static String blockedReason(JsonFields json) {
        for (String reason : json.all("choices.finish_reason")) {
            if ("content_filter".equals(reason)) {
                return reason;
            }
        }
        for (String reason : json.all("candidates.finishReason")) {
            for (String blocked : BLOCKED_FINISH) {
                if (blocked.equals(reason.toUpperCase(Locale.ROOT))) {
                    return reason;
                }
            }
        }
        String promptBlocked = json.first("promptFeedback.blockReason");
        if (promptBlocked != null) {
            return promptBlocked;
        }
        if ("content_filter".equals(json.first("response.incomplete_details.reason"))) {
            return "content_filter";
        }
        return "refusal".equals(json.first("delta.stop_reason", "stop_reason", "message.stop_reason"))
                ? "refusal" : null;
    }

    /** For tests: {@link #errorIn} of a UTF-8 string. */
    static ClassifiedError errorIn(String provider, String event, String data) {
        return errorIn(provider, event, data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[][] ascii(String... words) {
        byte[][] bytes = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            bytes[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }
}
