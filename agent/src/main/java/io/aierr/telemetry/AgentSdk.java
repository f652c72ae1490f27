package io.aierr.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OpenTelemetry agent's SDK, when aierr runs as its extension: the agent's side
 * ({@code io.aierr.agent.AgentPipeline}, outside the relocation) hands over ({@link AgentSdkLink})
 * where spans and measurements go, typed with java.base only since the two sides share no
 * OpenTelemetry class.
 * aierr still builds its spans with its own SDK (ids, parents, timing), then ends each sampled one
 * into the agent's span processors; its metrics are recorded on the agent's meters.
 */
final class AgentSdk {
    private AgentSdk() {
    }

    @SuppressWarnings("unchecked")
    static SpanProcessor spans() {
        Consumer<Map<String, Object>> sink = (Consumer<Map<String, Object>>) AgentSdkLink.get("spans");
        return new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {
            }

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                if (span.getSpanContext().isSampled()) {
                    sink.accept(plain(span.toSpanData()));
                }
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode forceFlush() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    private static Map<String, Object> plain(SpanData d) {
        Map<String, Object> s = new HashMap<>();
        s.put("name", d.getName());
        s.put("kind", d.getKind().name());
        s.put("traceId", d.getTraceId());
        s.put("spanId", d.getSpanId());
        s.put("flags", d.getSpanContext().getTraceFlags().asByte());
        if (d.getParentSpanContext().isValid()) {
            s.put("parentSpanId", d.getParentSpanId());
            s.put("parentRemote", d.getParentSpanContext().isRemote());
        }
        s.put("status", d.getStatus().getStatusCode().name());
        s.put("statusDescription", d.getStatus().getDescription());
        s.put("start", d.getStartEpochNanos());
        s.put("end", d.getEndEpochNanos());
        s.put("attributes", plain(d.getAttributes()));
        s.put("totalAttributes", d.getTotalAttributeCount());
        List<Object[]> events = new ArrayList<>();
        for (EventData e : d.getEvents()) {
            events.add(new Object[] {e.getName(), e.getEpochNanos(), plain(e.getAttributes())});
        }
        s.put("events", events);
        s.put("scope", d.getInstrumentationScopeInfo().getName());
        s.put("scopeVersion", d.getInstrumentationScopeInfo().getVersion());
        return s;
    }

    private static Map<String, Object> plain(Attributes attributes) {
        Map<String, Object> out = new HashMap<>();
        attributes.forEach((key, value) -> out.put(key.getKey(), value));
        return out;
    }

    static LongCounter counter(String name, String unit, String description) {
        return new Measurements("counter", name, unit, description);
    }

    static LongHistogram longHistogram(String name, String unit, String description) {
        return new Measurements("long-histogram", name, unit, description);
    }

    static DoubleHistogram doubleHistogram(String name, String unit, String description) {
        return new Measurements("double-histogram", name, unit, description);
    }

    /** One of aierr's instruments, recorded on the agent's meter of the same name. */
    private static final class Measurements implements LongCounter, LongHistogram, DoubleHistogram {
        private final String kind;
        private final String name;
        private final String unit;
        private final String description;

        Measurements(String kind, String name, String unit, String description) {
            this.kind = kind;
            this.name = name;
            this.unit = unit;
            this.description = description;
        }

        @SuppressWarnings("unchecked")
        private void send(Number value, Attributes attributes) {
            ((Consumer<Object[]>) AgentSdkLink.get("metrics")).accept(
                    new Object[] {kind, name, unit, description, value, plain(attributes)});
        }

        @Override
        public boolean isEnabled() {
            return true;
        }

        @Override
        public void add(long value) {
            send(value, Attributes.empty());
        }

        @Override
        public void add(long value, Attributes attributes) {
            send(value, attributes);
        }

        @Override
        public void add(long value, Attributes attributes, Context context) {
            send(value, attributes);
        }

        @Override
        public void record(long value) {
            send(value, Attributes.empty());
        }

        @Override
        public void record(long value, Attributes attributes) {
            send(value, attributes);
        }

        @Override
        public void record(long value, Attributes attributes, Context context) {
            send(value, attributes);
        }

        @Override
        public void record(double value) {
            send(value, Attributes.empty());
        }

        @Override
        public void record(double value, Attributes attributes) {
            send(value, attributes);
        }

        @Override
        public void record(double value, Attributes attributes, Context context) {
            send(value, attributes);
        }
    }
}
