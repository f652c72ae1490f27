package io.aierr.core.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import io.aierr.core.stream.EventStream;

import java.io.IOException;

/**
 * Reads a successful answer's usage as its bytes flow to the app: each chunk the app reads is
 * shown to {@link #accept} and passed on unchanged, nothing is held back or copied whole. A JSON
 * body goes through Jackson's non-blocking parser, chunk by chunk, with the middle of its long strings
 * (a completion's text) left out by a {@link LongStringCutter}; a server-sent event stream is
 * cut into events by an {@link EventStream} (shared with the other readers of the stream), and
 * each event's data is parsed on its own. The same fields are read in both:
 * <ul>
 *   <li>OpenAI chat and completions: {@code id}, {@code model}, {@code usage.prompt_tokens} /
 *       {@code completion_tokens}, {@code choices[i].finish_reason} (a stream's last chunks);</li>
 *   <li>OpenAI responses and Anthropic: {@code usage.input_tokens} / {@code output_tokens},
 *       {@code stop_reason}; their stream events wrap the answer in {@code response} or
 *       {@code message} and send the final counts and stop reason in later events;</li>
 *   <li>Gemini: {@code responseId}, {@code modelVersion}, {@code usageMetadata.promptTokenCount} /
 *       {@code candidatesTokenCount}, {@code candidates[i].finishReason}.</li>
 * </ul>
 * Later values replace earlier ones, as streams send running totals. Not thread-safe: one reader
 * per body, fed in order. Never throws: a body it cannot read ends its reading, not the app's.
 */
public final class UsageReader {
    private static final JsonFactory JSON = new JsonFactory();
    /** The fields read are at most this deep ({@code message.usage.input_tokens}). */
    private static final int MAX_DEPTH = 4;

    private final ResponseUsage usage = new ResponseUsage();
    /** The non-blocking parser of a JSON body; null for an event stream. */
    private final JsonParser body;
    /** Between a JSON body's bytes and its parser: long strings are not worth decoding. */
    private final LongStringCutter cutter = new LongStringCutter();
    private boolean stopped;
    /** The field names around the scalar being read, innermost first; reused, as every scalar of the body comes here. */
    private final String[] names = new String[MAX_DEPTH];

    private UsageReader(boolean events) throws IOException {
        this.body = events ? null : JSON.createNonBlockingByteArrayParser();
    }

    /** A reader for an answer of this content type, or null when it is neither JSON nor an event stream. */
    public static UsageReader forContentType(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            if (EventStream.isEventStream(contentType)) {
                return new UsageReader(true);
            }
            return contentType.toLowerCase(java.util.Locale.ROOT).contains("json") ? new UsageReader(false) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** True for an event stream, whose events come to {@link #event}; a JSON body's bytes come to {@link #accept}. */
    public boolean readsEvents() {
        return body == null;
    }

    /** The next bytes of a JSON body, as the app reads them. */
    public void accept(byte[] bytes, int offset, int length) {
        if (stopped || length <= 0 || body == null) {
            return;
        }
        try {
            cutter.pass(bytes, offset, offset + length, this::parse);
        } catch (IOException | RuntimeException unreadable) {
            stopped = true;
        }
    }

    private void parse(byte[] bytes, int from, int to) throws IOException {
        ((ByteArrayFeeder) body.getNonBlockingInputFeeder()).feedInput(bytes, from, to);
        walk(body, 0);
    }

    /** The data of an event stream's next event (see {@link EventStream}); only JSON data is read. */
    public void event(byte[] data, int length) {
        if (stopped || length <= 0 || data[0] != '{') {
            return; // "[DONE]" and other non-JSON data
        }
        try (JsonParser event = JSON.createParser(data, 0, length)) {
            walk(event, 1);
        } catch (IOException | RuntimeException notJson) {
            // one unreadable event does not stop the stream's later ones
        }
    }

    /** What the body said; call when the app has read it to its end (or closed it). */
    public ResponseUsage finish() {
        if (!stopped && body != null) {
            try {
                ((ByteArrayFeeder) body.getNonBlockingInputFeeder()).endOfInput();
                walk(body, 0);
            } catch (IOException | RuntimeException unreadable) {
                // what was read before still counts
            }
        }
        stopped = true;
        return usage;
    }

    /**
     * Reads tokens until the input runs out; {@code wrapperDepth} is 1 for an event, whose answer
     * may be wrapped in one more object.
     */
    private void walk(JsonParser p, int wrapperDepth) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                scalar(p, t, wrapperDepth);
            }
        }
    }

    private void scalar(JsonParser p, JsonToken t, int wrapperDepth) throws IOException {
        int depth = 0;
        int index = 0;
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (depth == MAX_DEPTH) {
                return;
            }
            if (c.inArray()) {
                index = c.getCurrentIndex();
            } else {
                names[depth++] = c.getCurrentName();
            }
        }
        if (depth == 0) {
            return;
        }
        // names run from the innermost out: names[depth - 1] is the top-level field
        int top = depth - 1;
        if (wrapperDepth > 0 && depth > 1 && ("message".equals(names[top]) || "response".equals(names[top]))) {
            top--; // Anthropic's message_start and OpenAI's response.* events wrap the answer
        }
        String field = names[0];
        String parent = top >= 1 ? names[1] : null;
        if (top == 0) {
            topLevel(field, p, t);
        } else if (top == 1) {
            nested(parent, field, p, t, index);
        }
    }

    private void topLevel(String field, JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            return;
        }
        switch (field) {
            case "id":
            case "responseId":
                usage.id = bounded(p.getText());
                break;
            case "model":
            case "modelVersion":
                usage.model = bounded(p.getText());
                break;
            case "stop_reason":
                usage.finished(0, bounded(p.getText()));
                break;
            default:
        }
    }

    private void nested(String parent, String field, JsonParser p, JsonToken t, int index) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT && ("usage".equals(parent) || "usageMetadata".equals(parent))) {
            switch (field) {
                case "prompt_tokens":
                case "input_tokens":
                case "promptTokenCount":
                    usage.inputTokens = p.getLongValue();
                    break;
                case "completion_tokens":
                case "output_tokens":
                case "candidatesTokenCount":
                    usage.outputTokens = p.getLongValue();
                    break;
                default:
            }
        } else if (t == JsonToken.VALUE_STRING && (("choices".equals(parent) && "finish_reason".equals(field))
                || ("candidates".equals(parent) && "finishReason".equals(field)))) {
            usage.finished(index, bounded(p.getText()));
        } else if (t == JsonToken.VALUE_STRING && "delta".equals(parent) && "stop_reason".equals(field)) {
            usage.finished(0, bounded(p.getText()));
        }
    }

    private static String bounded(String text) {
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
