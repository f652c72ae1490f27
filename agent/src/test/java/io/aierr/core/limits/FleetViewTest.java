package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FleetViewTest {
    private static final long MS = 1_000_000L;

    @Test
    void aQuietSpellBeforeTheLoadDoesNotDiluteThePassRateTold() {
        FleetView view = new FleetView("host:443", "sk-key", new AtomicInteger());
        for (long t = 0; t <= 1000; t += 50) { // the fleet's thread reads the count every 50 ms
            assertEquals(0, view.passRate(t * MS), 1e-9);
        }
        for (long t = 1050; t <= 1500; t += 50) {
            view.passed(); // one success per reading: 20 per second since the reading at 1 s
            double rate = view.passRate(t * MS);
            if (t >= 1250) { // before, the span is stretched to the gate's shortest
                assertEquals(20, rate, 1e-9, "at " + t + " ms");
            }
        }
        for (long t = 1550; t <= 3500; t += 50) {
            view.passRate(t * MS);
        }
        assertEquals(0, view.passRate(3550 * MS), 1e-9, "nothing passed within the window");
    }
}
