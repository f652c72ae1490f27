package io.aierr.instrumentation.apache.hc5;

import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The entity the app reads in place of the response's own: a final error response's bytes aierr peeked
 * at, then the rest of the original stream; or a success's stream, which aierr reads for usage on
 * its way. Type, length, encoding, trailers and whether it streams are the original's.
 */
final class ReplayedEntity extends HttpEntityWrapper {
    private final InputStream content;

    ReplayedEntity(HttpEntity original, InputStream content) {
        super(original);
        this.content = content;
    }

    @Override
    public InputStream getContent() {
        return content;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = content) {
            in.transferTo(out);
        }
    }

    @Override
    public boolean isRepeatable() {
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            content.close();
        } finally {
            super.close();
        }
    }
}
