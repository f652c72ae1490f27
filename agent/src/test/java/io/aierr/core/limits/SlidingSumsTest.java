package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SlidingSumsTest {
    private static final long MS = 1_000_000L;

    @Test
    void eachSumKeepsWhatWasAddedWithinTheWindowOnly() {
        SlidingSums sums = new SlidingSums(2, 1_000 * MS, 10);
        sums.add(0, 0, 5);
        sums.add(450 * MS, 0, 7);
        sums.add(450 * MS, 1, 100);
        assertEquals(12, sums.sum(0));
        assertEquals(100, sums.sum(1), "the sums are apart");
        sums.advance(1_050 * MS);
        assertEquals(7, sums.sum(0), "the first slot fell out of the window");
        sums.advance(5_000 * MS);
        assertEquals(0, sums.sum(0) + sums.sum(1), "a long quiet clears every slot");
        sums.add(4_990 * MS, 0, 3);
        assertEquals(3, sums.sum(0), "a late add lands in the current slot");
    }
}
