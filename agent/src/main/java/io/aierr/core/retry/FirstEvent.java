package io.aierr.core.retry;

import io.aierr.core.stream.EventStream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The first event of a stream whose hand-over to the app waits for it (see {@link Verdict#holdsFirstEvent}):
 * fed the stream's bytes as they come, until that event is complete or {@link #HOLD_LIMIT} bytes came
 * without one. Not thread-safe: fed in order by one reader at a time.
 */
public final class FirstEvent implements EventStream.Listener {
    /** Bytes held at most while waiting for the first event: a first event is a few hundred. */
    public static final int HOLD_LIMIT = 16 * 1024;

    private final EventStream events = new EventStream(this);
    private long bytes;
    private boolean came;
    private String name;
    private byte[] data;
    /** Scratch for buffers without an array. */
    private byte[] scratch;

    /** Reads these bytes too; returns {@link #over()}. */
    public boolean accept(byte[] b, int offset, int length) {
        if (!over()) {
            int n = (int) Math.min(length, HOLD_LIMIT - bytes);
            bytes += n;
            events.accept(b, offset, n);
        }
        return over();
    }

    /** The buffer's remaining bytes, its position untouched; returns {@link #over()}. */
    public boolean accept(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            return accept(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        }
        ByteBuffer view = buffer.duplicate();
        if (scratch == null) {
            scratch = new byte[1024];
        }
        while (view.hasRemaining() && !over()) {
            int n = Math.min(scratch.length, view.remaining());
            view.get(scratch, 0, n);
            accept(scratch, 0, n);
        }
        return over();
    }

    /** The first event came whole, or the hold's bytes are spent without one. */
    public boolean over() {
        return came || bytes >= HOLD_LIMIT;
    }

    /** True when the first event came whole (its name and data are known). */
    public boolean came() {
        return came;
    }

    String name() {
        return name;
    }

    byte[] data() {
        return data;
    }

    @Override
    public void event(String name, byte[] data, int length) {
        if (!came) {
            came = true;
            this.name = name;
            this.data = Arrays.copyOf(data, length);
        }
    }
}
