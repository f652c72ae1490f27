package io.aierr.agent;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The OpenTelemetry agent's pipeline as aierr uses it in extension mode: the span processors the
 * agent built for its exporters and the resource it settled on, caught while it configures its SDK,
 * and its meters. aierr's spans are finished in aierr's own (relocated) SDK and handed over here as
 * plain Java values, rebuilt as the agent's span data and ended into the agent's processors: they
 * are exported with the agent's resource, batching and exporters, or not at all when the agent
 * exports no traces. Its metrics are recorded on the agent's meters.
 *
 * <p>Loaded by the agent's extension class loader, which maps the OpenTelemetry API to the agent's
 * copy; kept out of the relocation that renames aierr's bundled SDK (see the build).
 */
final class AgentPipeline {
    private static final List<SpanProcessor> PROCESSORS = new CopyOnWriteArrayList<>();
    private static volatile Resource resource = Resource.getDefault();

    private AgentPipeline() {
    }

    /** Runs while the agent configures its SDK: keeps what aierr's spans will go through. */
    static void capture(AutoConfigurationCustomizer customizer) {
        customizer.addSpanProcessorCustomizer((processor, config) -> {
            PROCESSORS.add(processor);
            return processor;
        });
        customizer.addResourceCustomizer((r, config) -> {
            resource = r;
            return r;
        });
    }

    /**
     * What aierr's telemetry (in its own class loader) calls, typed with java.base only:
     * {@code spans} takes one finished span as a map, {@code metrics} one measurement as
     * {@code [kind, name, unit, description, value, attributes]}.
     */
    static Map<String, Object> link() {
        Map<String, Object> link = new HashMap<>();
        link.put("spans", (Consumer<Map<String, Object>>) AgentPipeline::end);
        link.put("metrics", (Consumer<Object[]>) new Metrics()::record);
        return Collections.unmodifiableMap(link);
    }

    private static void end(Map<String, Object> span) {
        Span converted = new Span(span, resource);
        for (SpanProcessor processor : PROCESSORS) {
            if (processor.isEndRequired()) {
                processor.onEnd(converted);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Attributes attributes(Object values) {
        AttributesBuilder b = Attributes.builder();
        ((Map<String, Object>) values).forEach((key, v) -> {
            if (v instanceof String) {
                b.put(key, (String) v);
            } else if (v instanceof Long || v instanceof Integer) {
                b.put(key, ((Number) v).longValue());
            } else if (v instanceof Double) {
                b.put(key, (Double) v);
            } else if (v instanceof Boolean) {
                b.put(key, (Boolean) v);
            } else if (v != null) {
                b.put(key, String.valueOf(v));
            }
        });
        return b.build();
    }

    /** aierr's instruments, made on the agent's meter the first time each is used. */
    private static final class Metrics {
        private final Map<String, Object> instruments = new ConcurrentHashMap<>();
        private volatile Meter meter;

        void record(Object[] m) {
            String kind = (String) m[0];
            String name = (String) m[1];
            Object instrument = instruments.computeIfAbsent(kind + ' ' + name,
                    k -> create(kind, name, (String) m[2], (String) m[3]));
            Attributes attributes = attributes(m[5]);
            if (instrument instanceof LongCounter) {
                ((LongCounter) instrument).add(((Number) m[4]).longValue(), attributes);
            } else if (instrument instanceof LongHistogram) {
                ((LongHistogram) instrument).record(((Number) m[4]).longValue(), attributes);
            } else if (instrument instanceof DoubleHistogram) {
                ((DoubleHistogram) instrument).record(((Number) m[4]).doubleValue(), attributes);
            }
        }

        private Object create(String kind, String name, String unit, String description) {
            Meter m = meter;
            if (m == null) {
                // the agent has set its SDK as global before the app's first AI call
                m = meter = GlobalOpenTelemetry.get().getMeter("io.aierr");
            }
            switch (kind) {
                case "counter":
                    return m.counterBuilder(name).setUnit(unit).setDescription(description).build();
                case "long-histogram":
                    return m.histogramBuilder(name).ofLongs().setUnit(unit).setDescription(description).build();
                default:
                    return m.histogramBuilder(name).setUnit(unit).setDescription(description).build();
            }
        }
    }

    /** One of aierr's finished spans as the agent's SDK reads it. */
    @SuppressWarnings({"unchecked", "deprecation"})
    private static final class Span implements ReadableSpan, SpanData {
        private final String name;
        private final SpanKind kind;
        private final SpanContext context;
        private final SpanContext parent;
        private final StatusData status;
        private final long start;
        private final long end;
        private final Attributes attributes;
        private final List<EventData> events = new ArrayList<>();
        private final int totalAttributes;
        private final InstrumentationScopeInfo scope;
        private final Resource resource;

        Span(Map<String, Object> s, Resource resource) {
            this.resource = resource;
            name = (String) s.get("name");
            kind = SpanKind.valueOf((String) s.get("kind"));
            TraceFlags flags = TraceFlags.fromByte((Byte) s.get("flags"));
            context = SpanContext.create((String) s.get("traceId"), (String) s.get("spanId"), flags,
                    TraceState.getDefault());
            String parentId = (String) s.get("parentSpanId");
            parent = parentId == null ? SpanContext.getInvalid() : Boolean.TRUE.equals(s.get("parentRemote"))
                    ? SpanContext.createFromRemoteParent((String) s.get("traceId"), parentId, flags, TraceState.getDefault())
                    : SpanContext.create((String) s.get("traceId"), parentId, flags, TraceState.getDefault());
            status = StatusData.create(StatusCode.valueOf((String) s.get("status")), (String) s.get("statusDescription"));
            start = (Long) s.get("start");
            end = (Long) s.get("end");
            attributes = attributes(s.get("attributes"));
            totalAttributes = (Integer) s.get("totalAttributes");
            for (Object[] e : (List<Object[]>) s.get("events")) {
                events.add(EventData.create((Long) e[1], (String) e[0], attributes(e[2])));
            }
            scope = InstrumentationScopeInfo.builder((String) s.get("scope"))
                    .setVersion((String) s.get("scopeVersion")).build();
        }

        @Override public String getName() { return name; }
        @Override public SpanKind getKind() { return kind; }
        @Override public SpanContext getSpanContext() { return context; }
        @Override public SpanContext getParentSpanContext() { return parent; }
        @Override public StatusData getStatus() { return status; }
        @Override public long getStartEpochNanos() { return start; }
        @Override public Attributes getAttributes() { return attributes; }
        @Override public List<EventData> getEvents() { return events; }
        @Override public List<LinkData> getLinks() { return Collections.emptyList(); }
        @Override public long getEndEpochNanos() { return end; }
        @Override public boolean hasEnded() { return true; }
        @Override public int getTotalRecordedEvents() { return events.size(); }
        @Override public int getTotalRecordedLinks() { return 0; }
        @Override public int getTotalAttributeCount() { return totalAttributes; }
        @Override public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
            return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
        }
        @Override public InstrumentationScopeInfo getInstrumentationScopeInfo() { return scope; }
        @Override public Resource getResource() { return resource; }
        @Override public SpanData toSpanData() { return this; }
        @Override public long getLatencyNanos() { return end - start; }
        @Override public <T> T getAttribute(AttributeKey<T> key) { return attributes.get(key); }
    }
}
