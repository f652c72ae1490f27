package io.aierr.core.retry;

import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.StreamEvents;
import io.aierr.core.stream.EventStream;
import io.aierr.core.usage.ResponseUsage;
import io.aierr.core.usage.UsageReader;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The body of a call's success as the app reads it. Each chunk is shown to a {@link UsageReader}
 * on its way to the app, unchanged and not held; an event stream is cut into events once, each read
 * for usage and for an in-band error ({@link StreamEvents}), which the call reports as the app meets
 * it. When the app has read the body to its end or closed it,
 * the usage goes to the call, and the call's telemetry ends: the later of that and the call's own
 * end. A client adapter makes one with {@link AiCall#successBody} and calls {@link #accept} for
 * every chunk the app gets and {@link #ended()} once (more calls are ignored), or hands the app the
 * stream {@link #reading} makes, which ends the body itself.
 */
public final class SuccessBody {
    /** Scratch for buffers without an array, copied through in pieces of at most this size. */
    private static final int COPY_CHUNK = 8 * 1024;

    private final AiCall call;
    private final UsageReader reader;
    /** The events of an event stream; null for any other body. */
    private final EventStream events;
    private final String provider;
    private final AtomicBoolean bodyEnded = new AtomicBoolean();
    /** The call's end and the body's end: the second reports the call. */
    private final AtomicInteger ends = new AtomicInteger();
    private byte[] scratch;
    /** The stream {@link #reading} handed out, watched until the body ends. */
    private volatile Dropped dropped;

    SuccessBody(AiCall call, UsageReader reader, String provider) {
        this.call = call;
        this.reader = reader;
        this.provider = provider;
        this.events = reader != null && reader.readsEvents() ? new EventStream(this::event) : null;
    }

    public void accept(byte[] bytes, int offset, int length) {
        if (reader != null) {
            try {
                if (events != null) {
                    events.accept(bytes, offset, length);
                } else {
                    reader.accept(bytes, offset, length);
                }
            } catch (RuntimeException e) {
                // reading the body is aierr's business: the app's bytes go on regardless
            }
        }
    }

    /**
     * One event of an event stream: its usage, and the error it carries, if any. Whatever fails here
     * fails for this event only: the parser keeps its place for the next.
     */
    private void event(String name, byte[] data, int length) {
        try {
            reader.event(data, length);
            if (length > 0 && (data[0] == '{' || data[0] == '[')) {
                ClassifiedError error = StreamEvents.errorIn(provider, name, Arrays.copyOf(data, length));
                if (error != null) {
                    call.inBandError(error);
                }
            }
        } catch (RuntimeException e) {
            // aierr's reading of one event; the app's bytes go on regardless
        }
    }

    /** The buffer's remaining bytes, read without moving its position. */
    public void accept(ByteBuffer buffer) {
        if (reader == null || !buffer.hasRemaining()) {
            return;
        }
        if (buffer.hasArray()) {
            accept(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            return;
        }
        ByteBuffer view = buffer.duplicate();
        // sized to the chunks met so far (the JDK client's are read-only): a small body costs no 8 KiB array
        int wanted = Math.max(256, Integer.highestOneBit(Math.min(COPY_CHUNK, view.remaining()) - 1) << 1);
        if (scratch == null || scratch.length < wanted) {
            scratch = new byte[wanted];
        }
        while (view.hasRemaining()) {
            int n = Math.min(scratch.length, view.remaining());
            view.get(scratch, 0, n);
            accept(scratch, 0, n);
        }
    }

    /**
     * The body's stream as the app gets it: every byte read shows here, the end of the stream or its
     * close ends the body, and a read that fails ends it too (with the failure passed on). A stream
     * the app drops neither read to its end nor closed (a response it never closes) ends the body at
     * the next success read after the garbage collector found it unreachable, so the call is
     * reported all the same.
     */
    public InputStream reading(InputStream content) {
        InputStream reading = new FilterInputStream(content) {
            /** For apps that read a byte at a time: one array for the stream, not one per byte. */
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    ended();
                    throw e;
                } finally {
                    // reachable while it reads, or the collector could end the body under the read
                    Reference.reachabilityFence(this);
                }
                if (n < 0) {
                    ended();
                } else {
                    accept(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // skipped bytes are read all the same, so that the reader keeps its place
                byte[] skipped = new byte[(int) Math.min(COPY_CHUNK, Math.max(0, n))];
                int read = skipped.length == 0 ? 0 : read(skipped, 0, skipped.length);
                return Math.max(0, read);
            }

            @Override
            public boolean markSupported() {
                return false;
            }

            @Override
            public void close() throws IOException {
                try {
                    in.close();
                } finally {
                    ended();
                }
            }
        };
        Dropped.endThoseCollected();
        dropped = new Dropped(reading, this);
        return reading;
    }

    /**
     * A stream handed to the app, until its body ends. The ones the collector found unreachable are
     * ended by the next stream handed out, not by a thread of aierr's own: an app may attach aierr
     * to every JVM, and it starts no thread there for this.
     */
    private static final class Dropped extends PhantomReference<InputStream> {
        private static final ReferenceQueue<InputStream> COLLECTED = new ReferenceQueue<>();
        /** Keeps each reference reachable itself until its body ends or it is polled. */
        private static final Set<Dropped> WATCHED = ConcurrentHashMap.newKeySet();

        private final SuccessBody body;

        Dropped(InputStream stream, SuccessBody body) {
            super(stream, COLLECTED);
            this.body = body;
            WATCHED.add(this);
        }

        static void endThoseCollected() {
            for (Reference<? extends InputStream> r; (r = COLLECTED.poll()) != null; ) {
                Dropped d = (Dropped) r;
                if (WATCHED.remove(d)) {
                    d.body.ended();
                }
            }
        }

        void forget() {
            WATCHED.remove(this);
        }
    }

    /** The app read the body to its end, or closed it, or the body failed. */
    public void ended() {
        if (bodyEnded.compareAndSet(false, true)) {
            Dropped watched = dropped;
            if (watched != null) {
                watched.forget();
            }
            try {
                ResponseUsage usage = reader == null ? null : reader.finish();
                call.bodyRead(usage);
            } catch (RuntimeException e) {
                // the usage is aierr's business: the call still reports, the app's body still ends
            }
            if (ends.incrementAndGet() == 2) {
                call.report();
            }
        }
    }

    /** The call itself ended; returns whether the body had too, so the call reports now. */
    boolean callEnded() {
        return ends.incrementAndGet() == 2;
    }
}
