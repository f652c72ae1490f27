package io.aierr.core.retry;

import io.aierr.testing.SeededBytes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeekedBodyTest {
    @Test
    void aShortBodyIsHeldWhole() throws IOException {
        byte[] body = SeededBytes.of(100);
        PeekedBody peeked = PeekedBody.read(() -> new ByteArrayInputStream(body), 64);
        assertTrue(peeked.truncated);
        assertArrayEquals(Arrays.copyOf(body, 64), peeked.prefix);
        assertArrayEquals(body, peeked.replay().readAllBytes(), "the app reads the whole body");

        PeekedBody whole = PeekedBody.read(() -> new ByteArrayInputStream(body), 1000);
        assertFalse(whole.truncated);
        assertArrayEquals(body, whole.prefix);
        assertArrayEquals(body, whole.replay().readAllBytes());
    }

    @Test
    void aBodyThatReadsCleanlyHasNoFailure() {
        assertNull(PeekedBody.read(() -> new ByteArrayInputStream(SeededBytes.of(100)), 64).failure());
        assertNull(PeekedBody.read(() -> new ByteArrayInputStream(SeededBytes.of(10)), 64).failure());
    }

    @Test
    void aBodyBrokenBeforeItsFirstByteReplaysOnlyTheFailure() throws IOException {
        IOException eof = new IOException("unexpected end of stream");
        PeekedBody peeked = PeekedBody.read(() -> new InputStream() {
            @Override
            public int read() throws IOException {
                throw eof;
            }
        }, 64);
        assertArrayEquals(new byte[0], peeked.prefix);
        assertSame(eof, peeked.failure());
        assertSame(eof, assertThrows(IOException.class, () -> peeked.replay().read(new byte[8])));
    }

    @Test
    void noBodyReplaysAsNone() {
        assertNull(PeekedBody.read(() -> null, 64).replay());
    }

    @Test
    void aReadFailureReachesTheAppAfterTheBytesBeforeIt() throws IOException {
        IOException reset = new IOException("connection reset");
        InputStream breaking = new SequenceInputStream(new ByteArrayInputStream(SeededBytes.of(10)), new InputStream() {
            @Override
            public int read() throws IOException {
                throw reset;
            }
        });
        PeekedBody peeked = PeekedBody.read(() -> breaking, 64);
        assertArrayEquals(SeededBytes.of(10), peeked.prefix);
        assertSame(reset, peeked.failure(), "the peek says the body broke, and how");
        assertFalse(peeked.truncated, "what came is all there is");
        InputStream replay = peeked.replay();
        assertArrayEquals(SeededBytes.of(10), replay.readNBytes(10));
        assertSame(reset, assertThrows(IOException.class, replay::read));
    }

    @Test
    void aBodyLongerThanTheFirstBufferIsHeldUpToTheLimit() throws IOException {
        int limit = AiCall.PEEK_LIMIT;
        for (int size : new int[] {PeekedBody.FIRST_BUFFER - 1, PeekedBody.FIRST_BUFFER, PeekedBody.FIRST_BUFFER + 1,
                                   limit - 1, limit, limit + 1, 3 * limit}) {
            byte[] body = SeededBytes.of(size);
            // a stream that hands out at most 1000 bytes a read, as a socket does
            PeekedBody peeked = PeekedBody.read(() -> new ByteArrayInputStream(body) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 1000));
                }
            }, limit);
            assertEquals(size >= limit, peeked.truncated, size + " bytes");
            assertArrayEquals(Arrays.copyOf(body, Math.min(size, limit)), peeked.prefix, size + " bytes");
            assertArrayEquals(body, peeked.replay().readAllBytes(), size + " bytes: the app reads the whole body");
        }
    }
}
