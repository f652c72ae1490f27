package io.aierr.testing;

import java.util.Random;

/** Bodies of random bytes that are the same in every run: the seed picks them. */
public final class SeededBytes {
    private SeededBytes() {
    }

    /** {@code size} random bytes seeded with the size itself. */
    public static byte[] of(int size) {
        return of(size, size);
    }

    public static byte[] of(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
