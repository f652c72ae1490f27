package io.aierr.core.retry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A blocking client's event stream held for its first event (see {@link FirstEvent}). A reader thread
 * reads it ahead, so that the wait bounds the hold even while a read blocks (a server that sent half
 * an event and stalls); the caller waits at most that long. Then the app reads {@link #handOver()}: the
 * held bytes, then the bytes of the read still in flight, if any, then the stream itself: nothing lost,
 * reordered or read twice. A read failure while held is the app's, after the bytes that came.
 */
final class HeldStream {
    /** Threads that read held streams ahead; none until a stream is held. */
    private static final class Readers {
        static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "aierr-stream-hold");
            t.setDaemon(true);
            return t;
        });
    }

    private final InputStream in;
    private final FirstEvent first;
    /** Written by the reader beyond {@link #size}, read by others below it. */
    private final byte[] held = new byte[FirstEvent.HOLD_LIMIT];
    private int size;
    /** The reader thread is still reading; once false it never touches the stream again. */
    private boolean reading = true;
    private boolean handedOver;
    private boolean ended;
    private IOException failure;

    private HeldStream(InputStream in, FirstEvent first) {
        this.in = in;
        this.first = first;
    }

    /**
     * Holds {@code in} until its first event came whole, {@link FirstEvent#HOLD_LIMIT} bytes came without
     * one, it ended or failed, or {@code waitMillis} passed; an interrupt ends the hold at once, the
     * thread's interrupt flag kept.
     */
    static HeldStream hold(InputStream in, FirstEvent first, long waitMillis) {
        HeldStream stream = new HeldStream(in, first);
        Readers.POOL.execute(stream::readAhead);
        stream.await(waitMillis);
        return stream;
    }

    /** True when the first event came whole with the stream unbroken so far: it can be judged. */
    synchronized boolean firstEventCame() {
        return first.came() && failure == null;
    }

    private void readAhead() {
        while (true) {
            int at;
            synchronized (this) {
                if (handedOver || first.over() || size == held.length) {
                    stopReading();
                    return;
                }
                at = size;
            }
            int n;
            try {
                n = in.read(held, at, held.length - at);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    failure = e instanceof IOException ? (IOException) e : new IOException(e);
                    stopReading();
                }
                return;
            }
            synchronized (this) {
                if (n < 0) {
                    ended = true;
                    stopReading();
                    return;
                }
                first.accept(held, at, n);
                size += n;
                notifyAll();
            }
        }
    }

    /** Call holding the lock. */
    private void stopReading() {
        reading = false;
        notifyAll();
    }

    private synchronized void await(long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        try {
            for (long left = waitMillis; reading && !first.over() && left > 0;
                 left = (deadline - System.nanoTime()) / 1_000_000L) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the client's own read ignores it too; the app sees the flag
        }
        handedOver = true;
    }

    /** The whole stream as the app would have read it; closing it closes the stream. */
    InputStream handOver() {
        return new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                synchronized (HeldStream.this) {
                    try {
                        while (at == size && reading) {
                            HeldStream.this.wait(); // the read in flight brings the next bytes
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                    if (at < size) {
                        int n = Math.min(length, size - at);
                        System.arraycopy(held, at, into, offset, n);
                        at += n;
                        return n;
                    }
                    if (failure != null) {
                        throw failure;
                    }
                    if (ended) {
                        return -1;
                    }
                }
                return in.read(into, offset, length);
            }

            @Override
            public int available() throws IOException {
                synchronized (HeldStream.this) {
                    if (at < size) {
                        return size - at;
                    }
                    if (reading || failure != null || ended) {
                        return 0;
                    }
                }
                return in.available();
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
