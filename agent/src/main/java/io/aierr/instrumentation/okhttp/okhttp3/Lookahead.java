package io.aierr.instrumentation.okhttp.okhttp3;

import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads a response body's source from its start without consuming it: each read asks the source
 * to hold one byte beyond those read so far, then copies what it holds. A read error thus comes
 * after every byte that arrived before it (okio 1's {@code peek()} asks for a whole segment at
 * once, and fails with the bytes it got unseen). Closing it closes the response.
 */
final class Lookahead extends InputStream {
    private final Response response;
    private final BufferedSource source;
    private long at;

    Lookahead(Response response, BufferedSource source) {
        this.response = response;
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    @SuppressWarnings("deprecation")
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!source.request(at + 1)) {
            return -1;
        }
        // buffer(), not getBuffer(): okio 1.x before 1.17 has only the former; 2.x and 3.x keep it, deprecated
        Buffer held = source.buffer();
        int n = (int) Math.min(length, held.size() - at);
        held.copyTo(new OutputStream() {
            private int to = offset;

            @Override
            public void write(int b) {
                into[to++] = (byte) b;
            }

            @Override
            public void write(byte[] bytes, int from, int count) {
                System.arraycopy(bytes, from, into, to, count);
                to += count;
            }
        }, at, n);
        at += n;
        return n;
    }

    @Override
    public void close() {
        response.close();
    }
}
