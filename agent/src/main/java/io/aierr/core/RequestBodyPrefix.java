package io.aierr.core;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Keeps the first bytes of a request body written into it and drops the rest: for clients whose
 * replayable bodies can write themselves again ({@code HttpEntity.writeTo}), so the request's model
 * and operation can be named.
 */
public final class RequestBodyPrefix extends OutputStream {
    /** Larger bodies are not written again: the model name is not worth the copy. */
    private static final long MAX_BODY = 1 << 20;

    private final byte[] buffer = new byte[AiCall.PEEK_LIMIT];
    private int size;

    /** Whether a body of this kind is worth writing once more to read its prefix. */
    public static boolean worthReading(boolean repeatable, long contentLength) {
        return repeatable && contentLength >= 0 && contentLength <= MAX_BODY;
    }

    @Override
    public void write(int b) {
        if (size < buffer.length) {
            buffer[size++] = (byte) b;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        int n = Math.min(length, buffer.length - size);
        if (n > 0) {
            System.arraycopy(bytes, offset, buffer, size, n);
            size += n;
        }
    }

    public byte[] bytes() {
        return Arrays.copyOf(buffer, size);
    }
}
