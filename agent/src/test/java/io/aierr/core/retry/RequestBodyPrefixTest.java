package io.aierr.core.retry;

import io.aierr.testing.SeededBytes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RequestBodyPrefixTest {
    @Test
    void aBodyUpToThePeekLimitIsHeldWholeAndLongerOnesUpToTheLimit() throws IOException {
        int limit = AiCall.PEEK_LIMIT;
        for (int size : new int[] {0, 1, 2048, limit - 1, limit, limit + 1, 1 << 20}) {
            byte[] body = SeededBytes.of(size);
            byte[] whole = RequestBodyPrefix.of(true, size, out -> out.write(body));
            assertArrayEquals(Arrays.copyOf(body, Math.min(size, limit)), whole, size + " bytes in one write");
            byte[] inPieces = RequestBodyPrefix.of(true, size, out -> {
                for (int at = 0; at < size; at += 1000) {
                    out.write(body, at, Math.min(1000, size - at));
                }
            });
            assertArrayEquals(Arrays.copyOf(body, Math.min(size, limit)), inPieces, size + " bytes in writes of 1000");
        }
    }

    @Test
    void aBodyThatWritesMoreThanItsLengthSaidIsStillHeldUpToTheLimit() throws IOException {
        byte[] body = SeededBytes.of(100_000);
        byte[] prefix = RequestBodyPrefix.of(true, 10, out -> {
            out.write(body[0]);
            out.write(body, 1, body.length - 1);
        });
        assertArrayEquals(Arrays.copyOf(body, AiCall.PEEK_LIMIT), prefix);
        byte[] bytewise = RequestBodyPrefix.of(true, 0, out -> {
            for (int i = 0; i < 300; i++) {
                out.write(body[i]);
            }
        });
        assertArrayEquals(Arrays.copyOf(body, 300), bytewise);
    }

    @Test
    void aBodyThatCannotBeWrittenAgainOrIsTooLargeIsNotRead() throws IOException {
        RequestBodyPrefix.Body fails = out -> {
            throw new AssertionError("not to be written");
        };
        assertNull(RequestBodyPrefix.of(false, 10, fails));
        assertNull(RequestBodyPrefix.of(true, -1, fails));
        assertNull(RequestBodyPrefix.of(true, (1 << 20) + 1, fails));
    }
}
