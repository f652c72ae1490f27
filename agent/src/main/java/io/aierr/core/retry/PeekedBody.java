package io.aierr.core.retry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The first bytes of a blocking response body, read to classify it, and the same body again for
 * the app: the held bytes, then whatever the stream still has. Reading never throws: a failure is
 * kept and thrown to the app where it would have met it.
 */
public final class PeekedBody {
    /** Bytes read before the buffer grows to the limit. */
    static final int FIRST_BUFFER = 8 * 1024;

    /** Opens the body; returns null when the response has none. */
    public interface Source {
        InputStream open() throws IOException;
    }

    public final byte[] prefix;
    /** True when the body may go on beyond {@link #prefix}. */
    public final boolean truncated;
    private final InputStream rest;
    private final IOException failure;
    private final boolean present;

    private PeekedBody(byte[] prefix, boolean truncated, InputStream rest, IOException failure, boolean present) {
        this.prefix = prefix;
        this.truncated = truncated;
        this.rest = rest;
        this.failure = failure;
        this.present = present;
    }

    /** Reads until {@code limit} bytes are held or the body ends. */
    public static PeekedBody read(Source source, int limit) {
        InputStream in;
        try {
            in = source.open();
        } catch (IOException e) {
            return new PeekedBody(new byte[0], false, null, e, true);
        }
        if (in == null) {
            return new PeekedBody(new byte[0], false, null, null, false);
        }
        // error bodies are mostly a few hundred bytes: the full limit is allocated only for a body that needs it
        byte[] buffer = new byte[Math.min(limit, FIRST_BUFFER)];
        int size = 0;
        try {
            while (size < limit) {
                if (size == buffer.length) {
                    buffer = Arrays.copyOf(buffer, limit);
                }
                int n = in.read(buffer, size, buffer.length - size);
                if (n < 0) {
                    return new PeekedBody(Arrays.copyOf(buffer, size), false, in, null, true);
                }
                size += n;
            }
            return new PeekedBody(buffer, true, in, null, true);
        } catch (IOException e) {
            return new PeekedBody(Arrays.copyOf(buffer, size), false, in, e, true);
        }
    }

    /**
     * The read error that ended the peek early (the body broke after {@link #prefix}), or null when
     * the body read cleanly as far as the peek went. {@link #replay()} throws it after the prefix.
     */
    public IOException failure() {
        return failure;
    }

    /**
     * The whole body as the app would have read it, or null when the response has none. Closing
     * it closes the underlying stream.
     */
    public InputStream replay() {
        return present ? new Replay() : null;
    }

    private final class Replay extends InputStream {
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
            if (at < prefix.length) {
                int n = Math.min(length, prefix.length - at);
                System.arraycopy(prefix, at, into, offset, n);
                at += n;
                return n;
            }
            if (failure != null) {
                throw failure;
            }
            return rest == null ? -1 : rest.read(into, offset, length);
        }

        @Override
        public int available() throws IOException {
            int held = prefix.length - at;
            return held > 0 ? held : failure != null || rest == null ? 0 : rest.available();
        }

        @Override
        public void close() throws IOException {
            if (rest != null) {
                rest.close();
            }
        }
    }
}
