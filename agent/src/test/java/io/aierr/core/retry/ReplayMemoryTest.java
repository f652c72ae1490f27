package io.aierr.core.retry;

import io.aierr.testing.SeededBytes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayMemoryTest {
    private static final int KIB = 1024;

    /** Writes the body in chunks of {@code chunk} bytes, as a client sends it. */
    private static boolean send(ReplayMemory.Capture capture, byte[] body, int chunk) {
        boolean copying = true;
        for (int at = 0; at < body.length; at += chunk) {
            copying &= capture.write(body, at, Math.min(chunk, body.length - at));
        }
        return copying;
    }

    @Test
    void aBodyWithinTheLimitIsCapturedWholeAndByteIdentical() {
        ReplayMemory memory = new ReplayMemory(64 * KIB);
        byte[] body = SeededBytes.of(50 * KIB, 1);
        ReplayMemory.Capture capture = memory.capture(-1);
        assertTrue(send(capture, body, 1000));
        assertNull(capture.bytes(), "not whole before the body ended");
        assertTrue(capture.complete());
        assertArrayEquals(body, capture.bytes());
        assertEquals(body.length, memory.held(), "after completion it holds exactly the body");
        capture.release();
        assertNull(capture.bytes());
        assertEquals(0, memory.held());
    }

    @Test
    void aDeclaredLengthIsReservedOnceAndExactly() {
        ReplayMemory memory = new ReplayMemory(64 * KIB);
        byte[] body = SeededBytes.of(20 * KIB, 2);
        ReplayMemory.Capture capture = memory.capture(body.length);
        assertTrue(capture.write(ByteBuffer.wrap(body, 0, 10)));
        assertEquals(body.length, memory.held());
        assertTrue(send(capture, Arrays.copyOfRange(body, 10, body.length), 4096));
        assertTrue(capture.complete());
        assertArrayEquals(body, capture.bytes());
        assertEquals(body.length, memory.held());
    }

    @Test
    void writingAByteBufferLeavesItsPositionForTheClient() {
        ReplayMemory.Capture capture = new ReplayMemory(KIB).capture(-1);
        ByteBuffer chunk = ByteBuffer.wrap(new byte[] {1, 2, 3});
        assertTrue(capture.write(chunk));
        assertEquals(3, chunk.remaining());
        assertTrue(capture.complete());
        assertArrayEquals(new byte[] {1, 2, 3}, capture.bytes());
    }

    @Test
    void anEmptyBodyIsWhole() {
        ReplayMemory.Capture capture = new ReplayMemory(KIB).capture(0);
        assertTrue(capture.complete());
        assertArrayEquals(new byte[0], capture.bytes());
    }

    @Test
    void aBodyOverThePerCallLimitIsDroppedAndItsMemoryFreed() {
        ReplayMemory memory = new ReplayMemory(16 * KIB);
        ReplayMemory.Capture capture = memory.capture(-1);
        assertFalse(send(capture, SeededBytes.of(16 * KIB + 1, 3), 1024));
        assertEquals(0, memory.held());
        assertFalse(capture.complete(), "a dropped capture never becomes whole");
        assertNull(capture.bytes());
        assertFalse(capture.write(new byte[1], 0, 1));
    }

    @Test
    void aBodyOfExactlyTheLimitIsCaptured() {
        ReplayMemory memory = new ReplayMemory(16 * KIB);
        ReplayMemory.Capture capture = memory.capture(-1);
        byte[] body = SeededBytes.of(16 * KIB, 4);
        assertTrue(send(capture, body, 5000));
        assertTrue(capture.complete());
        assertArrayEquals(body, capture.bytes());
    }

    @Test
    void aDeclaredLengthOverTheLimitIsNotCapturedAtAll() {
        ReplayMemory memory = new ReplayMemory(16 * KIB);
        assertNull(memory.capture(16 * KIB + 1));
        assertNotNull(memory.capture(16 * KIB));
    }

    @Test
    void aLimitOfZeroTurnsCapturingOff() {
        assertNull(new ReplayMemory(0).capture(-1));
        assertNull(new ReplayMemory(0).capture(10));
    }

    @Test
    void callsInFlightShareOneLimitAndAReleaseMakesRoom() {
        ReplayMemory memory = new ReplayMemory(40 * KIB, 100 * KIB);
        ReplayMemory.Capture first = memory.capture(40 * KIB);
        ReplayMemory.Capture second = memory.capture(40 * KIB);
        ReplayMemory.Capture third = memory.capture(40 * KIB);
        assertTrue(send(first, SeededBytes.of(40 * KIB, 5), 8192));
        assertTrue(send(second, SeededBytes.of(40 * KIB, 6), 8192));
        assertFalse(send(third, SeededBytes.of(40 * KIB, 7), 8192), "120 KiB in flight is more than 100 KiB");
        assertFalse(third.complete());
        assertEquals(80 * KIB, memory.held());

        first.release();
        assertEquals(40 * KIB, memory.held());
        ReplayMemory.Capture fourth = memory.capture(40 * KIB);
        assertTrue(send(fourth, SeededBytes.of(40 * KIB, 8), 8192), "the ended call's memory is free again");
        assertTrue(fourth.complete());
        second.release();
        fourth.release();
        assertEquals(0, memory.held());
    }

    @Test
    void bodiesOfUnknownLengthCountTheirBuffersAgainstTheSharedLimit() {
        ReplayMemory memory = new ReplayMemory(64 * KIB, 64 * KIB);
        ReplayMemory.Capture growing = memory.capture(-1);
        assertTrue(send(growing, SeededBytes.of(20 * KIB, 9), 1000));
        assertTrue(memory.held() >= 20 * KIB && memory.held() <= 64 * KIB, "held " + memory.held());
        assertTrue(growing.complete());
        assertEquals(20 * KIB, memory.held(), "the spare room is given back once whole");
    }

    @Test
    void theDefaultSharedLimitIs32MiBOrTheCallLimitWhenLarger() {
        ReplayMemory memory = new ReplayMemory(1 << 20);
        ReplayMemory.Capture[] captures = new ReplayMemory.Capture[33];
        for (int i = 0; i < 32; i++) {
            captures[i] = memory.capture(1 << 20);
            assertTrue(captures[i].write(new byte[1 << 20], 0, 1 << 20), "call " + i);
        }
        captures[32] = memory.capture(1 << 20);
        assertFalse(captures[32].write(new byte[1], 0, 1), "the 33rd MiB in flight is refused");
        for (ReplayMemory.Capture c : captures) {
            c.release();
        }
        assertEquals(0, memory.held());

        ReplayMemory large = new ReplayMemory(40L << 20);
        ReplayMemory.Capture one = large.capture(40L << 20);
        assertTrue(one.write(new byte[1], 0, 1), "a call limit above 32 MiB raises the shared limit with it");
        one.release();
    }

    @Test
    void aRestartBeforeTheEndStartsOverAndAWholeCaptureStays() {
        ReplayMemory memory = new ReplayMemory(KIB);
        ReplayMemory.Capture capture = memory.capture(-1);
        capture.write(new byte[] {9, 9}, 0, 2);
        capture.restart();
        capture.write(new byte[] {1, 2}, 0, 2);
        assertTrue(capture.complete());
        capture.restart();
        assertFalse(capture.write(new byte[] {3}, 0, 1), "a whole capture takes no more bytes");
        assertArrayEquals(new byte[] {1, 2}, capture.bytes());
    }

    @Test
    void aFailedBodyIsDropped() {
        ReplayMemory memory = new ReplayMemory(KIB);
        ReplayMemory.Capture capture = memory.capture(-1);
        capture.write(new byte[10], 0, 10);
        capture.drop();
        assertEquals(0, memory.held());
        assertFalse(capture.complete());
    }

    @Test
    void writesAfterTheCallEndedAreIgnoredAndNotCounted() {
        ReplayMemory memory = new ReplayMemory(KIB);
        ReplayMemory.Capture capture = memory.capture(-1);
        capture.release();
        assertFalse(capture.write(new byte[10], 0, 10));
        assertFalse(capture.complete());
        capture.release();
        assertEquals(0, memory.held());
    }

    @Test
    void theTeeWritesThroughAndKeepsWritingWhenTheCopyStops() throws IOException {
        ReplayMemory memory = new ReplayMemory(4);
        ReplayMemory.Capture capture = memory.capture(-1);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (OutputStream out = capture.tee(wire)) {
            out.write(1);
            out.write(new byte[] {2, 3, 4, 5, 6}, 0, 5);
        }
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, wire.toByteArray(), "the wire gets every byte");
        assertFalse(capture.complete(), "6 bytes are over the 4-byte limit");

        ReplayMemory.Capture small = memory.capture(-1);
        ByteArrayOutputStream wire2 = new ByteArrayOutputStream();
        small.tee(wire2).write(new byte[] {7, 8}, 0, 2);
        assertTrue(small.complete());
        assertArrayEquals(wire2.toByteArray(), small.bytes());
    }
}
