package io.aierr.instrumentation.apache.hc4;

import org.apache.http.HttpEntity;
import org.apache.http.entity.HttpEntityWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The final error response's entity: the bytes aierr peeked at, then the rest of the original
 * stream. Type, length and encoding are the original's.
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
    @Deprecated
    public void consumeContent() throws IOException {
        content.close();
    }
}
