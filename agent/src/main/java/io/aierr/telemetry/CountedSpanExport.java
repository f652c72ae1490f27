package io.aierr.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;

/** The SDK's export path with {@link SpanLoss} counting what enters it and what the collector accepted. */
final class CountedSpanExport {
    private CountedSpanExport() {
    }

    /** Counts what reaches {@code queue}; only sampled spans are queued for export. */
    static SpanProcessor processor(SpanProcessor queue, SpanLoss loss) {
        return new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {
                queue.onStart(parentContext, span);
            }

            @Override
            public boolean isStartRequired() {
                return queue.isStartRequired();
            }

            @Override
            public void onEnd(ReadableSpan span) {
                if (span.getSpanContext().isSampled()) {
                    loss.finished();
                }
                queue.onEnd(span);
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }

            @Override
            public CompletableResultCode shutdown() {
                return queue.shutdown();
            }

            @Override
            public CompletableResultCode forceFlush() {
                return queue.forceFlush();
            }
        };
    }

    static SpanExporter exporter(SpanExporter exporter, SpanLoss loss) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                CompletableResultCode result = exporter.export(spans);
                result.whenComplete(() -> {
                    if (result.isSuccess()) {
                        loss.delivered(spans.size());
                    }
                });
                return result;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }
        };
    }

}
