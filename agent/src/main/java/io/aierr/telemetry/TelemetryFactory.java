package io.aierr.telemetry;

import io.aierr.config.AierrConfig;
import io.aierr.core.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The agent's telemetry as configured: exit summary, then console lines and/or OTLP export. */
public final class TelemetryFactory {
    private TelemetryFactory() {
    }

    /** @param warn where internal problems are said, once each */
    public static Telemetry create(AierrConfig config, Consumer<String> warn) {
        List<Telemetry> sinks = new ArrayList<>();
        SpanLoss loss = new SpanLoss();
        if (config.exporters.contains("console") || OtelSettings.asksForConsole(config)) {
            sinks.add(new ConsoleReporter(System.err::println));
        }
        if (config.exportsOtlp() && AgentSdkLink.linked()) {
            // the OpenTelemetry agent's extension: the agent's pipeline, set up by the agent
            sinks.add(new LazyTelemetry(() -> OtlpTelemetry.inAgent(warn), warn));
        } else if (config.exportsOtlp() && !"true".equals(lower(config.otel("otel.sdk.disabled")))) {
            // the lambda keeps OpenTelemetry classes unloaded until the first AI call
            sinks.add(new LazyTelemetry(() -> OtlpTelemetry.create(config, loss, warn), warn));
        }
        if (config.summary) {
            // last: at exit the summary counts the spans the flush before it could not export
            sinks.add(new CallStats(System.err::println, loss::summaryNote));
        }
        return sinks.isEmpty() ? Telemetry.NONE : new FanOutTelemetry(sinks, warn);
    }

    /** Whether OTLP export goes through the OpenTelemetry agent's SDK (aierr runs as its extension). */
    public static boolean throughOtelAgent() {
        return AgentSdkLink.linked();
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
