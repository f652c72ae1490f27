package io.aierr.core.stream;

import java.util.Arrays;

/**
 * Cuts a {@code text/event-stream} body into its events as its bytes come, chunk by chunk: each
 * event's {@code event:} name and its {@code data:} lines joined by newlines, as the server-sent
 * events format defines them. The one parser of aierr's stream readers (usage, in-band errors, the
 * first-event hold, the CLI's reading of a whole body). Each data byte is copied once, into the
 * event being assembled; {@code id:}, {@code retry:} and comment lines are dropped, and an event
 * that starts with a bare line of JSON is data to its end. An event whose data outgrows {@link #MAX_EVENT} is
 * skipped whole, never cut: an oversized event is passed through to the app and read by nobody.
 * Not thread-safe: one parser per body, fed in order.
 */
public final class EventStream {
    /** What hears each complete event. */
    public interface Listener {
        /**
         * @param name   the event's {@code event:} name, or null when it had none
         * @param data   the event's data lines joined by {@code \n}, in {@code data[0..length)}; the
         *               array is reused for the next event
         */
        void event(String name, byte[] data, int length);
    }

    /** Events of AI streams are small deltas; a larger one is not read. */
    public static final int MAX_EVENT = 64 * 1024;
    /** Event names are short words ({@code message_delta}); a longer one is not a name worth keeping. */
    private static final int MAX_NAME = 128;

    private final Listener listener;
    /** The data of the event being assembled, followed by the line being read. */
    private byte[] buffer = new byte[1024];
    private int dataLength;
    /** Where the line being read starts in {@link #buffer}, and its length so far. */
    private int lineStart;
    private int lineLength;
    private boolean hasData;
    private String name;
    /** The event began with a line of bare JSON: each of its lines is data. */
    private boolean bareJson;
    /** The event outgrew {@link #MAX_EVENT}: its lines are skipped until it ends. */
    private boolean oversized;
    /** While {@link #oversized}: the line being skipped had bytes, so it is not the blank line that ends the event. */
    private boolean skippedLine;

    public EventStream(Listener listener) {
        this.listener = listener;
    }

    /** True for a {@code text/event-stream} content type. */
    public static boolean isEventStream(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    /** The next bytes of the stream. */
    public void accept(byte[] bytes, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                line();
            } else if (!oversized) {
                append(b);
            } else if (b != '\r') {
                skippedLine = true;
            }
        }
    }

    private void append(byte b) {
        int at = lineStart + lineLength;
        if (at == MAX_EVENT + 8) {
            oversized = true; // the field name and its space, past the data's own limit
            skippedLine = true;
            return;
        }
        if (at == buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(MAX_EVENT + 8, buffer.length * 2));
        }
        buffer[at] = b;
        lineLength++;
    }

    /** A line ended: a field of the event being assembled, or the blank line that ends it. */
    private void line() {
        if (oversized) {
            if (!skippedLine) {
                reset(); // the blank line that ends the oversized event: it is dropped whole
            }
            skippedLine = false;
            return;
        }
        int length = lineLength > 0 && buffer[lineStart + lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        lineLength = 0;
        if (length == 0) {
            dispatch();
            return;
        }
        int at = lineStart;
        boolean data = !bareJson && startsWith(at, length, "data");
        // Gemini and some gateways end a stream with a bare JSON error object, no "data:" before it,
        // often over several lines: an event that starts that way is JSON to its end
        if (!data && !hasData && name == null && (buffer[at] == '{' || buffer[at] == '[')) {
            bareJson = true;
        }
        if (data || bareJson) {
            int value = data ? valueStart(at, length, 4) : at;
            int n = at + length - value;
            int separator = hasData ? 1 : 0;
            if (dataLength + separator + n > MAX_EVENT) {
                oversized = true; // this line is over; the event's end is the next blank line
                return;
            }
            if (dataLength + separator + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(MAX_EVENT + 8, buffer.length * 2));
            }
            // moved before the separator is written: a bare JSON line's value starts where it goes
            System.arraycopy(buffer, value, buffer, dataLength + separator, n);
            if (hasData) {
                buffer[dataLength] = '\n';
            }
            dataLength += separator + n;
            hasData = true;
        } else if (startsWith(at, length, "event")) {
            int value = valueStart(at, length, 5);
            int n = at + length - value;
            name = n <= MAX_NAME ? new String(buffer, value, n, java.nio.charset.StandardCharsets.UTF_8) : null;
        }
        lineStart = dataLength; // the next line goes right after the data kept so far
    }

    /** The field's value starts after its colon and one optional space; a line without a colon is the name alone. */
    private int valueStart(int at, int length, int nameLength) {
        int value = at + nameLength;
        int end = at + length;
        if (value < end && buffer[value] == ':') {
            value++;
            if (value < end && buffer[value] == ' ') {
                value++;
            }
        }
        return value;
    }

    /** The line is the field {@code field}: its name alone, or followed by a colon. */
    private boolean startsWith(int at, int length, String field) {
        int n = field.length();
        if (length < n || (length > n && buffer[at + n] != ':')) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (buffer[at + i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void dispatch() {
        if (hasData || name != null) {
            listener.event(name, buffer, dataLength);
        }
        reset();
    }

    private void reset() {
        dataLength = 0;
        lineStart = 0;
        lineLength = 0;
        hasData = false;
        name = null;
        bareJson = false;
        oversized = false;
        skippedLine = false;
    }
}
