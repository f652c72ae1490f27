package io.aierr.instrumentation.apache.hc5;

import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The final error response's entity: the bytes aierr peeked at, then the rest of the original
 * stream. Type, length, encoding and trailers are the original's.
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
    public boolean isStreaming() {
        return true;
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
