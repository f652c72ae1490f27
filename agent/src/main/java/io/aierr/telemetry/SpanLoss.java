package io.aierr.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Spans finished versus spans the collector accepted, for the exit summary: the difference was
 * dropped from the full export queue, refused or never answered by the collector, or still queued
 * when the exit flush ran out of time. Names no OpenTelemetry type, so the summary can hold it
 * before the SDK exists.
 */
final class SpanLoss {
    private final LongAdder finished = new LongAdder();
    private final LongAdder delivered = new LongAdder();

    void finished() {
        finished.increment();
    }

    void delivered(int spans) {
        delivered.add(spans);
    }

    /** e.g. {@code , 4 of 6 spans not exported}; empty when none was lost. */
    String summaryNote() {
        long all = finished.sum();
        long lost = all - delivered.sum();
        return lost <= 0 ? "" : ", " + lost + " of " + all + " spans not exported";
    }
}
