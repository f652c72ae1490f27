package io.aierr.core.classify;

import io.aierr.core.stream.EventStream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A whole streamed body cut into its events, for a body that is already complete (the CLI, or
 * the peeked start of an error body); the agent's live stream reader feeds {@link StreamEvents}
 * one event at a time instead. Two framings:
 * <ul>
 *   <li>server-sent events: {@code event:} and {@code data:} lines, a blank line ending each event.
 *       A block that starts with a bare JSON value instead of a field is taken as that event's
 *       data, because Gemini and some gateways append their error object that way;</li>
 *   <li>AWS event streams ({@code application/vnd.amazon.eventstream}, Bedrock): binary frames whose
 *       {@code :event-type} or {@code :exception-type} header names the event. A frame whose
 *       checksum does not match ends the reading: a broken frame is never guessed at.</li>
 * </ul>
 */
public final class StreamBody {
    /** One event: its name (null when it had none) and its data as UTF-8 bytes. */
    public static final class Event {
        public final String name;
        public final byte[] data;

        Event(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    private static final int MAX_EVENTS = 100_000;
    /** A body cut off without its last blank line still ends its last event. */
    private static final byte[] END_OF_EVENT = {'\n', '\n'};

    private StreamBody() {
    }

    /** Whether a response with this content type and body is a stream of events. */
    public static boolean isStream(String contentType, byte[] body) {
        return isAwsEventStream(contentType) || isEventStream(contentType) || looksLikeSse(body);
    }

    /** The events of a complete body, in order. */
    public static List<Event> events(String contentType, byte[] body) {
        return isAwsEventStream(contentType) ? awsFrames(body) : sse(body);
    }

    static boolean isEventStream(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("text/event-stream");
    }

    private static boolean isAwsEventStream(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("application/vnd.amazon.eventstream");
    }

    /** The first non-blank line is an SSE field or comment, not JSON, HTML or prose. */
    static boolean looksLikeSse(byte[] body) {
        String start = new String(body, 0, Math.min(body.length, 256), StandardCharsets.UTF_8).stripLeading();
        return start.startsWith("data:") || start.startsWith("event:") || start.startsWith("id:")
                || start.startsWith(":") && !start.startsWith("::");
    }

    private static List<Event> sse(byte[] body) {
        List<Event> events = new ArrayList<>();
        EventStream parser = new EventStream((name, data, length) -> {
            if (events.size() < MAX_EVENTS) {
                events.add(new Event(name, Arrays.copyOf(data, length)));
            }
        });
        parser.accept(body, 0, body.length);
        parser.accept(END_OF_EVENT, 0, END_OF_EVENT.length);
        return events;
    }

    /**
     * The data of a streamed body's first JSON event, preferring one named {@code error}: what an
     * error status sent as a stream says. The body itself when no event holds JSON.
     */
    static byte[] firstJsonData(byte[] body) {
        byte[] first = null;
        for (Event e : sse(body)) {
            if (e.data.length > 0 && (e.data[0] == '{' || e.data[0] == '[')) {
                if ("error".equals(e.name)) {
                    return e.data;
                }
                first = first == null ? e.data : first;
            }
        }
        return first == null ? body : first;
    }

    /**
     * AWS event-stream frames: total length, headers length, prelude CRC, headers, payload, message
     * CRC. An exception frame is named by its {@code :exception-type}; Bedrock's chunk events carry
     * the model's own event base64-encoded in {@code bytes}, which is what the event says.
     */
    private static List<Event> awsFrames(byte[] body) {
        List<Event> events = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(body);
        while (in.remaining() >= 16 && events.size() < MAX_EVENTS) {
            int start = in.position();
            int total = in.getInt();
            int headersLength = in.getInt();
            int preludeCrc = in.getInt();
            if (total < 16 || headersLength < 0 || headersLength > total - 16 || total > in.remaining() + 12
                    || preludeCrc != crc(body, start, 8) || in.getInt(start + total - 4) != crc(body, start, total - 4)) {
                break;
            }
            Map<String, String> headers = headers(in, headersLength);
            if (headers == null) {
                break;
            }
            byte[] payload = new byte[total - 16 - headersLength];
            in.get(payload);
            in.getInt();
            String type = headers.get(":message-type");
            if ("exception".equals(type)) {
                events.add(new Event(headers.get(":exception-type"), payload));
            } else if ("error".equals(type)) {
                events.add(new Event(headers.get(":error-code"), payload));
            } else {
                events.add(new Event(headers.get(":event-type"), innerEvent(payload)));
            }
        }
        return events;
    }

    /** String-valued headers; other value types are skipped. Null when the block is malformed. */
    private static Map<String, String> headers(ByteBuffer in, int length) {
        Map<String, String> headers = new HashMap<>();
        int end = in.position() + length;
        try {
            while (in.position() < end) {
                byte[] name = new byte[in.get() & 0xff];
                in.get(name);
                int type = in.get();
                int size;
                switch (type) {
                    case 0: case 1: size = 0; break;
                    case 2: size = 1; break;
                    case 3: size = 2; break;
                    case 4: size = 4; break;
                    case 5: case 8: size = 8; break;
                    case 9: size = 16; break;
                    case 6: case 7: size = in.getShort() & 0xffff; break;
                    default: return null;
                }
                byte[] value = new byte[size];
                in.get(value);
                if (type == 7) {
                    headers.put(new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
                }
            }
        } catch (RuntimeException truncated) {
            return null;
        }
        return in.position() == end ? headers : null;
    }

    private static byte[] innerEvent(byte[] payload) {
        String bytes = JsonFields.parse(payload).first("bytes");
        if (bytes == null) {
            return payload;
        }
        try {
            return Base64.getDecoder().decode(bytes);
        } catch (IllegalArgumentException notBase64) {
            return payload;
        }
    }

    private static int crc(byte[] body, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(body, offset, length);
        return (int) crc.getValue();
    }
}
