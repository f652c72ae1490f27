package io.aierr.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP collector for tests: accepts {@code POST /v1/traces} and {@code /v1/metrics}
 * (http/protobuf), decodes them with opentelemetry-proto and keeps everything it received, raw
 * bytes included. It can also play a broken collector: answer 500, or read the export and never
 * answer.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** How the receiver answers exports. */
    public enum Mode { ACCEPT, ANSWER_500, HANG }

    private final HttpServer server;
    private final Mode mode;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private final List<byte[]> rawBodies = new CopyOnWriteArrayList<>();
    private final List<String> rawHeaders = new CopyOnWriteArrayList<>();
    private final List<Watch> watches = new ArrayList<>();

    public OtlpReceiver() throws IOException {
        this(Mode.ACCEPT);
    }

    public OtlpReceiver(Mode mode) throws IOException {
        this.mode = mode;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The value for {@code otel.exporter.otlp.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public List<ExportTraceServiceRequest> traceRequests() {
        return new ArrayList<>(traces);
    }

    public List<ExportMetricsServiceRequest> metricRequests() {
        return new ArrayList<>(metrics);
    }

    /** The body of every request received, as sent (before any decompression). */
    public List<byte[]> rawBodies() {
        return new ArrayList<>(rawBodies);
    }

    /** Request line and headers of every request received, as text. */
    public List<String> rawHeaders() {
        return new ArrayList<>(rawHeaders);
    }

    public int exportCount() {
        return rawBodies.size();
    }

    /** All spans of all trace exports, in arrival order. */
    public List<Span> spans() {
        List<Span> out = new ArrayList<>();
        traces.forEach(r -> r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                .forEach(ss -> out.addAll(ss.getSpansList()))));
        return out;
    }

    /** Every exported instance of the metric with this name (one per metric export). */
    public List<Metric> metrics(String name) {
        List<Metric> out = new ArrayList<>();
        metrics.forEach(r -> r.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList()
                .forEach(sm -> sm.getMetricsList().stream().filter(m -> m.getName().equals(name)).forEach(out::add))));
        return out;
    }

    /**
     * Runs {@code then} once, on the receiving thread, as soon as what arrived satisfies
     * {@code enough} (at once if it already does): lets a test tell the app that its exports are in.
     */
    public synchronized void whenReceived(Predicate<OtlpReceiver> enough, Runnable then) {
        watches.add(new Watch(enough, then));
        checkWatches();
    }

    private synchronized void checkWatches() {
        for (Watch w : watches) {
            if (!w.done && w.enough.test(this)) {
                w.done = true;
                w.then.run();
            }
        }
    }

    private static final class Watch {
        final Predicate<OtlpReceiver> enough;
        final Runnable then;
        boolean done;

        Watch(Predicate<OtlpReceiver> enough, Runnable then) {
            this.enough = enough;
            this.then = then;
        }
    }

    /** The attribute's value as text ({@code "429"} for an int), or null when absent. */
    public static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                return text(kv.getValue());
            }
        }
        return null;
    }

    private static String text(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE: return v.getStringValue();
            case INT_VALUE: return Long.toString(v.getIntValue());
            case BOOL_VALUE: return Boolean.toString(v.getBoolValue());
            case DOUBLE_VALUE: return Double.toString(v.getDoubleValue());
            case ARRAY_VALUE: return v.getArrayValue().getValuesList().stream().map(OtlpReceiver::text)
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            default: return v.toString();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        rawBodies.add(raw);
        rawHeaders.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                + exchange.getRequestHeaders().entrySet());
        String path = exchange.getRequestURI().getPath();
        boolean known = "POST".equals(exchange.getRequestMethod())
                && (path.equals("/v1/traces") || path.equals("/v1/metrics"));
        if (known) {
            byte[] body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("content-encoding"))
                    ? gunzip(raw) : raw;
            if (path.equals("/v1/traces")) {
                traces.add(ExportTraceServiceRequest.parseFrom(body));
            } else {
                metrics.add(ExportMetricsServiceRequest.parseFrom(body));
            }
        }
        checkWatches();
        if (mode == Mode.HANG) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        int status = !known ? 404 : mode == Mode.ANSWER_500 ? 500 : 200;
        exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
        // an empty body is a valid, empty Export*ServiceResponse
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static byte[] gunzip(byte[] raw) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
