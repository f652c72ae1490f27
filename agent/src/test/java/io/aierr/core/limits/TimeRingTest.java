package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimeRingTest {
    @Test
    void countsAndTheOldestAreOfTheWindowAndTheLastEventsOnly() {
        TimeRing ring = new TimeRing(4);
        assertEquals(0, ring.count(1_000, 100, Integer.MAX_VALUE));
        assertEquals(1_000, ring.oldest(1_000, 100), "none: now itself");
        for (long t = 1; t <= 6; t++) {
            ring.add(t * 100); // 100 ... 600: the ring keeps 300 ... 600
        }
        assertEquals(4, ring.count(600, 1_000, Integer.MAX_VALUE), "only as many as the ring holds");
        assertEquals(2, ring.count(600, 100, Integer.MAX_VALUE), "500 and 600 within 100 of 600");
        assertEquals(3, ring.count(600, 1_000, 3), "counted up to what is enough");
        assertEquals(300, ring.oldest(600, 1_000));
        assertEquals(500, ring.oldest(600, 100));
    }

    @Test
    void timesAreComparedAcrossTheNanoTimeWrap() {
        TimeRing ring = new TimeRing(8);
        ring.add(Long.MAX_VALUE - 50);
        ring.add(Long.MIN_VALUE + 50); // 101 ns later, past the wrap
        assertEquals(2, ring.count(Long.MIN_VALUE + 60, 200, Integer.MAX_VALUE));
        assertEquals(Long.MAX_VALUE - 50, ring.oldest(Long.MIN_VALUE + 60, 200));
    }
}
