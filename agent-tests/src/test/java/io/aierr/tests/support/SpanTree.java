package io.aierr.tests.support;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.aierr.testing.OtlpReceiver.attribute;

/**
 * Exported spans put together as trees: parents found by span id, whichever process exported them.
 * Renders as indented text, for assertion messages and for reading what a set-up exports.
 */
public final class SpanTree {
    private final List<Span> spans = new ArrayList<>();
    private final Map<Span, String> scopes = new IdentityHashMap<>();
    private final Map<String, Span> byId = new HashMap<>();
    private final List<String> duplicateIds = new ArrayList<>();

    public SpanTree(List<ExportTraceServiceRequest> exports) {
        exports.forEach(r -> r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
                ss.getSpansList().forEach(span -> {
                    spans.add(span);
                    scopes.put(span, ss.getScope().getName());
                    if (byId.put(hex(span.getSpanId()), span) != null) {
                        duplicateIds.add(hex(span.getSpanId()));
                    }
                }))));
    }

    public static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    public List<Span> all() {
        return new ArrayList<>(spans);
    }

    public List<String> duplicateIds() {
        return duplicateIds;
    }

    public List<Span> roots() {
        return spans.stream().filter(s -> s.getParentSpanId().isEmpty()).collect(Collectors.toList());
    }

    /** Spans whose parent was never exported. */
    public List<Span> orphans() {
        return spans.stream().filter(s -> !s.getParentSpanId().isEmpty() && !byId.containsKey(hex(s.getParentSpanId())))
                .collect(Collectors.toList());
    }

    public Span byId(String spanId) {
        return byId.get(spanId);
    }

    /** The instrumentation scope that made the span ({@code io.aierr}, {@code io.opentelemetry.java-http-client}...). */
    public String scope(Span span) {
        return scopes.get(span);
    }

    /** Direct children in the order they started. */
    public List<Span> children(Span parent) {
        return spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .sorted(Comparator.comparingLong(Span::getStartTimeUnixNano)).collect(Collectors.toList());
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        spans.stream().filter(s -> s.getParentSpanId().isEmpty() || !byId.containsKey(hex(s.getParentSpanId())))
                .sorted(Comparator.comparingLong(Span::getStartTimeUnixNano))
                .forEach(root -> render(root, 0, out));
        return out.toString();
    }

    private void render(Span span, int depth, StringBuilder out) {
        out.append("  ".repeat(depth)).append(span.getName())
                .append("  [").append(span.getKind().name().replace("SPAN_KIND_", "")).append(", ").append(scope(span));
        String status = attribute(span.getAttributesList(), "http.response.status_code");
        if (status != null) {
            out.append(", ").append(status);
        }
        String category = attribute(span.getAttributesList(), "aierr.error.category");
        if (category != null) {
            out.append(", ").append(category);
        }
        out.append(", span ").append(hex(span.getSpanId()));
        if (depth == 0) {
            out.append(", trace ").append(hex(span.getTraceId()));
        }
        out.append("]\n");
        children(span).forEach(child -> render(child, depth + 1, out));
    }
}
