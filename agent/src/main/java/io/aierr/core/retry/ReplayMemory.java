package io.aierr.core.retry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that captured request bodies may hold. A body the client cannot re-create (a custom
 * publisher, an input stream, a non-repeatable entity) is copied as it is sent the first time; once
 * copied whole, the retries send the copy. Each call may hold up to the replay limit, and all calls
 * in flight together up to {@link #IN_FLIGHT_LIMIT} (or the per-call limit, when that is larger): a
 * body that does not fit is not captured, and its call is sent once, as without aierr.
 *
 * <p>Client-neutral and thread-safe: a capture is written on whatever thread the client sends the
 * body from, and released by the thread that ends its call.
 */
public final class ReplayMemory {
    /** What all calls in flight may hold together (unless one call's limit is larger). */
    public static final long IN_FLIGHT_LIMIT = 32L << 20;
    /** Largest per-call limit: one Java array. */
    public static final long MAX_PER_CALL = 1L << 30;
    /** First buffer of a body of unknown length; it doubles as the body comes. */
    private static final int FIRST_BUFFER = 8 * 1024;

    private final long perCall;
    private final long inFlightLimit;
    private final AtomicLong held = new AtomicLong();

    /** @param perCall bytes one call's body may take; 0 turns capturing off */
    public ReplayMemory(long perCall) {
        this(perCall, Math.max(IN_FLIGHT_LIMIT, perCall));
    }

    ReplayMemory(long perCall, long inFlightLimit) {
        if (perCall < 0 || perCall > MAX_PER_CALL) {
            throw new IllegalArgumentException("per-call limit " + perCall);
        }
        this.perCall = perCall;
        this.inFlightLimit = inFlightLimit;
    }

    /** Bytes the captures of calls in flight hold now. */
    public long held() {
        return held.get();
    }

    /**
     * Starts capturing one call's request body.
     *
     * @param declaredLength the body's length when the client knows it before sending, else negative
     * @return null when capturing is off, or the declared length is more than one call may hold
     *         (the body is then sent once, with no copy made)
     */
    public Capture capture(long declaredLength) {
        if (perCall == 0 || declaredLength > perCall) {
            return null;
        }
        return new Capture(declaredLength);
    }

    private boolean reserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > inFlightLimit) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    private void free(long bytes) {
        if (bytes > 0) {
            held.addAndGet(-bytes);
        }
    }

    /**
     * One call's copy of its request body. It is whole once the body was sent to its end within the
     * limits ({@link #complete()} returned true); from then on {@link #bytes()} is what each retry
     * sends. A copy that broke a limit, or a body that failed, is dropped at once and its memory freed.
     * {@link #release()} when the call ends.
     */
    public final class Capture {
        private final long declaredLength;
        private byte[] buffer;
        /** Bytes of {@link #buffer} reserved from the shared memory. */
        private long capacityHeld;
        private int size;
        private State state = State.CAPTURING;

        private Capture(long declaredLength) {
            this.declaredLength = declaredLength;
        }

        /**
         * Copies bytes just sent; false once the capture is dropped (then stop copying). Reserves the
         * declared length, else buffer growth, from the memory shared by all calls.
         */
        public synchronized boolean write(byte[] bytes, int offset, int length) {
            if (!room(length)) {
                return false;
            }
            System.arraycopy(bytes, offset, buffer, size, length);
            size += length;
            return true;
        }

        /** {@link #write(byte[], int, int)} of a buffer's remaining bytes; the buffer's position is left as it was. */
        public synchronized boolean write(ByteBuffer bytes) {
            ByteBuffer view = bytes.duplicate();
            int length = view.remaining();
            if (!room(length)) {
                return false;
            }
            view.get(buffer, size, length);
            size += length;
            return true;
        }

        /** The body was sent to its end: true when this capture holds all of it (the call may be retried). */
        public synchronized boolean complete() {
            if (state == State.CAPTURING) {
                if (buffer == null) {
                    buffer = new byte[0];
                } else if (size < buffer.length) {
                    buffer = Arrays.copyOf(buffer, size);
                    free(capacityHeld - size);
                    capacityHeld = size;
                }
                state = State.WHOLE;
            }
            return state == State.WHOLE;
        }

        /** The body failed, or cannot be captured: no retry will use it. */
        public synchronized void drop() {
            if (state == State.CAPTURING) {
                forget(State.DROPPED);
            }
        }

        /**
         * The client sends the body again within one attempt (a redirect, an authentication
         * challenge) before the first send ended: start over. A whole capture stays as it is.
         */
        public synchronized void restart() {
            if (state == State.CAPTURING) {
                size = 0;
            }
        }

        /** True once the whole body is captured. */
        public synchronized boolean whole() {
            return state == State.WHOLE;
        }

        /** The whole body (not to be changed), or null when the capture is not whole. */
        public synchronized byte[] bytes() {
            return state == State.WHOLE ? buffer : null;
        }

        /** The call ended: frees the copy. Writes after this are ignored. */
        public synchronized void release() {
            if (state != State.RELEASED) {
                forget(State.RELEASED);
            }
        }

        /** A stream that writes to {@code out} and copies what was written into this capture. */
        public OutputStream tee(OutputStream out) {
            return new Tee(out, this);
        }

        /** True when {@code length} more bytes fit within both limits; else the capture is dropped. */
        private boolean room(int length) {
            if (state != State.CAPTURING) {
                return false;
            }
            long needed = (long) size + length;
            if (needed <= perCall && fits(needed)) {
                return true;
            }
            drop();
            return false;
        }

        /** Makes room for {@code needed} bytes, reserving what the buffer grows by; false when memory is spent. */
        private boolean fits(long needed) {
            if (buffer != null && needed <= buffer.length) {
                return true;
            }
            long doubled = buffer == null ? FIRST_BUFFER : Math.max(FIRST_BUFFER, 2L * buffer.length);
            long capacity = declaredLength >= needed ? declaredLength : Math.min(perCall, Math.max(needed, doubled));
            if (!reserve(capacity - capacityHeld)) {
                return false;
            }
            capacityHeld = capacity;
            buffer = buffer == null ? new byte[(int) capacity] : Arrays.copyOf(buffer, (int) capacity);
            return true;
        }

        private void forget(State next) {
            free(capacityHeld);
            capacityHeld = 0;
            buffer = null;
            size = 0;
            state = next;
        }
    }

    private enum State {
        CAPTURING, WHOLE, DROPPED, RELEASED
    }

    /** Writes through, then copies; a copy that breaks a limit stops copying, never the write. */
    private static final class Tee extends OutputStream {
        private final OutputStream out;
        private final Capture capture;

        Tee(OutputStream out, Capture capture) {
            this.out = out;
            this.capture = capture;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            capture.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            capture.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
