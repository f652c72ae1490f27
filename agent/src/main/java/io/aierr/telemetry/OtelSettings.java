package io.aierr.telemetry;

import io.aierr.config.AierrConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What aierr changes in the standard OpenTelemetry settings before the SDK's autoconfiguration
 * reads them, and nothing else. Names no OpenTelemetry type, so the console choice can be made at
 * start without loading the SDK.
 * <ul>
 *   <li>{@code console} / {@code logging} as a traces or metrics exporter means aierr's own console
 *       lines ({@link ConsoleReporter}), not OpenTelemetry's logging exporter, which aierr does not ship;</li>
 *   <li>aierr makes no logs: {@code otel.logs.exporter} is {@code none} for its SDK;</li>
 *   <li>aierr's exporter speaks http/protobuf only: {@code grpc} is exported as http/protobuf, to port
 *       4318 where 4317 was given, with one warning.</li>
 * </ul>
 */
final class OtelSettings {
    static final String HTTP_PROTOBUF = "http/protobuf";
    private static final String DEFAULT_ENDPOINT = AierrConfig.DEFAULT_OTLP_ENDPOINT;
    private static final List<String> CONSOLE = Arrays.asList("console", "logging");
    private static final String[] SIGNALS = {"traces", "metrics"};

    private final Consumer<String> warn;
    /** Where each exporting signal goes, as resolved from the settings: for the export-failure lines. */
    private final Map<String, String> endpoints = new ConcurrentHashMap<>();
    private boolean grpcSaid;

    OtelSettings(Consumer<String> warn) {
        this.warn = warn;
    }

    /** Whether the standard settings name a console exporter for traces or metrics. */
    static boolean asksForConsole(AierrConfig config) {
        for (String signal : SIGNALS) {
            for (String exporter : list(config.otel("otel." + signal + ".exporter"))) {
                if (CONSOLE.contains(exporter)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** aierr's defaults, below anything the user set. */
    static Map<String, String> defaults() {
        Map<String, String> defaults = new HashMap<>();
        // the OpenTelemetry Java agent's default (the SDK alone defaults to grpc)
        defaults.put("otel.exporter.otlp.protocol", HTTP_PROTOBUF);
        // error messages and URLs can be long; a span attribute need not be
        defaults.put("otel.attribute.value.length.limit", Integer.toString(OtlpTelemetry.ATTRIBUTE_LENGTH_LIMIT));
        return defaults;
    }

    /** Settings that replace what the user gave, for aierr's SDK only; may warn once. */
    Map<String, String> overrides(Function<String, String> settings) {
        Map<String, String> out = new HashMap<>();
        out.put("otel.logs.exporter", "none");
        for (String signal : SIGNALS) {
            String key = "otel." + signal + ".exporter";
            List<String> exporters = list(settings.apply(key));
            if (exporters.isEmpty()) {
                exporters = List.of("otlp");
            }
            List<String> kept = new ArrayList<>(exporters);
            kept.removeAll(CONSOLE);
            if (kept.size() != exporters.size()) {
                out.put(key, kept.isEmpty() ? "none" : String.join(",", kept));
            }
            if (kept.contains("otlp")) {
                endpoints.put(signal, otlpOverHttp(signal, settings, out));
            }
        }
        return out;
    }

    /** Each exporting signal's endpoint: {@code traces -> http://localhost:4318/v1/traces}. */
    Map<String, String> endpoints() {
        return endpoints;
    }

    /** Keeps or makes the signal's OTLP export http/protobuf; returns where it goes. */
    private String otlpOverHttp(String signal, Function<String, String> settings, Map<String, String> out) {
        String own = settings.apply("otel.exporter.otlp." + signal + ".endpoint");
        String all = settings.apply("otel.exporter.otlp.endpoint");
        String protocol = settings.apply("otel.exporter.otlp." + signal + ".protocol");
        if (protocol == null) {
            protocol = settings.apply("otel.exporter.otlp.protocol");
        }
        String path = "/v1/" + signal;
        if (protocol == null || protocol.trim().equalsIgnoreCase(HTTP_PROTOBUF)) {
            return own != null ? own : (all != null ? all : DEFAULT_ENDPOINT).replaceAll("/+$", "") + path;
        }
        if (!protocol.trim().equalsIgnoreCase("grpc")) {
            return own != null ? own : all; // the SDK rejects the protocol
        }
        out.put("otel.exporter.otlp." + signal + ".protocol", HTTP_PROTOBUF);
        String given = own != null ? own : all;
        String endpoint = given == null ? DEFAULT_ENDPOINT + path : toHttpPort(given).replaceAll("/+$", "");
        if (given != null && !endpoint.endsWith(path)) {
            endpoint += path;
        }
        out.put("otel.exporter.otlp." + signal + ".endpoint", endpoint);
        if (grpcSaid) {
            return endpoint;
        }
        grpcSaid = true;
        warn.accept("OTLP over grpc is not spoken by aierr's exporter (it has no gRPC client);"
                + " exporting http/protobuf instead, to " + Redaction.url(endpoint)
                + " (a collector takes it on port 4318). Set otel.exporter.otlp.protocol=http/protobuf to silence this");
        return endpoint;
    }

    /** The collector's OTLP/HTTP port where its gRPC port was given. */
    private static String toHttpPort(String endpoint) {
        try {
            URI uri = URI.create(endpoint.trim());
            if (uri.getPort() == 4317) {
                return new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), 4318, uri.getPath(), null, null)
                        .toString();
            }
        } catch (Exception ignored) {
            // the SDK reports a malformed endpoint
        }
        return endpoint.trim();
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.trim().isEmpty()) {
                    out.add(part.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** A standard setting the SDK's configuration refused: OTLP export stays off, the app goes on. */
    static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(RuntimeException cause) {
            super("OpenTelemetry export off, a setting was rejected: " + Redaction.text(reason(cause))
                    + "; AI calls are unaffected", cause);
        }

        /** The SDK wraps unexpected failures in a generic message: then its cause says what is wrong. */
        private static String reason(Throwable t) {
            String reason = t.getMessage();
            if ((reason == null || reason.startsWith("Unexpected configuration error")) && t.getCause() != null) {
                return String.valueOf(t.getCause().getMessage());
            }
            return String.valueOf(reason);
        }
    }
}
