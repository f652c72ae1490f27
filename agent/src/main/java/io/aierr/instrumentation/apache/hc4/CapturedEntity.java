package io.aierr.instrumentation.apache.hc4;

import io.aierr.core.retry.ReplayMemory;
import org.apache.http.HttpEntity;
import org.apache.http.entity.HttpEntityWrapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Stands in for the app's non-repeatable request entity during one call: the first attempt writes
 * the app's entity through and copies it into the call's capture; once the capture is whole, every
 * later attempt writes the captured bytes. Type, encoding, length and chunking stay the app's, so
 * each attempt goes out framed as the first.
 */
final class CapturedEntity extends HttpEntityWrapper {
    private final ReplayMemory.Capture capture;
    private final Runnable whole;

    CapturedEntity(HttpEntity own, ReplayMemory.Capture capture, Runnable whole) {
        super(own);
        this.capture = capture;
        this.whole = whole;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        byte[] captured = capture.bytes();
        if (captured != null) {
            out.write(captured);
            return;
        }
        capture.restart();
        try {
            super.writeTo(capture.tee(out));
        } catch (IOException | RuntimeException | Error e) {
            capture.drop();
            throw e;
        }
        if (capture.complete()) {
            whole.run();
        }
    }

    @Override
    public InputStream getContent() throws IOException {
        byte[] captured = capture.bytes();
        return captured != null ? new ByteArrayInputStream(captured) : super.getContent();
    }
}
