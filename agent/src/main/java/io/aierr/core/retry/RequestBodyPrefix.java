package io.aierr.core.retry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keeps the first bytes of a request body written into it and drops the rest: for clients whose
 * replayable bodies can write themselves again ({@code HttpEntity.writeTo}), or publish themselves
 * again (the JDK's in-memory publishers, through {@link #sizedTo}), so that the request's model and
 * operation can be named.
 */
public final class RequestBodyPrefix extends OutputStream {
    /** Larger bodies are not written again: the model name is not worth the copy. */
    private static final long MAX_BODY = 1 << 20;

    private final int limit;
    /** Sized to the body's declared length; grows (to the limit) only for a body that writes more. */
    private byte[] buffer;
    private int size;

    /** A body that writes itself into a stream, e.g. {@code HttpEntity::writeTo}. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private RequestBodyPrefix(int capacity, int limit) {
        this.limit = limit;
        buffer = new byte[capacity];
    }

    /** A sink for the first {@code limit} bytes of a body that says it has {@code contentLength} (-1: unknown). */
    public static RequestBodyPrefix sizedTo(long contentLength, int limit) {
        return new RequestBodyPrefix(contentLength < 0 ? limit : (int) Math.min(contentLength, limit), limit);
    }

    /** The body's first bytes, or null when it cannot be written again or is too large to be worth it. */
    public static byte[] of(boolean repeatable, long contentLength, Body body) throws IOException {
        if (!repeatable || contentLength < 0 || contentLength > MAX_BODY) {
            return null;
        }
        RequestBodyPrefix sink = sizedTo(contentLength, AiCall.PEEK_LIMIT);
        body.writeTo(sink);
        return sink.bytes();
    }

    @Override
    public void write(int b) {
        room(1);
        if (size < buffer.length) {
            buffer[size++] = (byte) b;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        room(length);
        int n = Math.min(length, buffer.length - size);
        if (n > 0) {
            System.arraycopy(bytes, offset, buffer, size, n);
            size += n;
        }
    }

    /** Keeps what of {@code bytes}' remaining bytes fits, leaving {@code bytes} as it was (read-only ones too). */
    public void write(ByteBuffer bytes) {
        room(bytes.remaining());
        int n = Math.min(bytes.remaining(), buffer.length - size);
        bytes.duplicate().get(buffer, size, n);
        size += n;
    }

    /** Room for {@code length} more bytes, as far as the limit goes. */
    private void room(int length) {
        if (length > buffer.length - size && buffer.length < limit) {
            long wanted = Math.max((long) size + length, 2L * buffer.length);
            buffer = Arrays.copyOf(buffer, (int) Math.min(wanted, limit));
        }
    }

    /** The bytes kept. */
    public byte[] bytes() {
        return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }
}
