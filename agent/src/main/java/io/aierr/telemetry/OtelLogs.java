package io.aierr.telemetry;

import io.opentelemetry.api.OpenTelemetry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDK reports export failures through java.util.logging, by default as multi-line records on
 * stderr on every attempt: a collector that is down would flood the app's output. Its loggers are
 * turned into one aierr line per signal, said once: spans failing do not hide metrics failing
 * later (for instance a traces-only backend that answers metrics with 404).
 */
final class OtelLogs {
    /** The SDK's exporters name the signal: {@code Failed to export 3 spans. ...}. */
    private static final Pattern SIGNAL = Pattern.compile("Failed to export (?:\\d+ )?(span|metric|log)s?\\b");
    /** JUL holds loggers weakly; the configured one must stay reachable or its settings go. */
    private static Logger sdkRoot;

    private OtelLogs() {
    }

    /** @param endpoints where each signal is exported, by signal ({@code traces}, {@code metrics}) */
    static synchronized void reportPerSignal(Consumer<String> warn, Map<String, String> endpoints) {
        if (sdkRoot != null) {
            return;
        }
        // the SDK's package as it is named in this jar (relocated when shaded)
        String root = OpenTelemetry.class.getPackage().getName().replaceFirst("\\.api$", "");
        Logger logger = Logger.getLogger(root);
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.WARNING);
        logger.addHandler(new FirstWarningPerSignal(warn, endpoints));
        sdkRoot = logger;
    }

    private static final class FirstWarningPerSignal extends Handler {
        private final Consumer<String> warn;
        private final Map<String, String> endpoints;
        private final Set<String> said = ConcurrentHashMap.newKeySet();
        private final SimpleFormatter formatter = new SimpleFormatter();

        FirstWarningPerSignal(Consumer<String> warn, Map<String, String> endpoints) {
            this.warn = warn;
            this.endpoints = endpoints;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            String what = formatter.formatMessage(record).replaceAll("\\s+", " ").trim();
            if (what.equals("Exporter failed")) {
                // the batch processor's echo of a failure its exporter reports with the reason
                return;
            }
            String signal = signal(what, String.valueOf(record.getLoggerName()));
            if (!said.add(signal)) {
                return;
            }
            Throwable cause = record.getThrown();
            String reason = cause == null ? what : what + " " + cause;
            String endpoint = endpoints.get(signal);
            String subject = signal.equals("other") ? "OpenTelemetry export" : "OpenTelemetry export of " + signal
                    + (endpoint == null ? "" : " to " + endpoint);
            warn.accept(Redaction.text(subject + " failing (" + reason + "); further " + (signal.equals("other")
                    ? "such problems" : signal + " export problems") + " are not shown, AI calls are unaffected"));
        }

        /** The exporters name their signal in the message; elsewhere the SDK's package says it. */
        private static String signal(String message, String logger) {
            Matcher m = SIGNAL.matcher(message);
            if (m.find()) {
                return m.group(1).equals("span") ? "traces" : m.group(1) + "s";
            }
            if (logger.contains(".sdk.trace.")) {
                return "traces";
            }
            return logger.contains(".sdk.metrics.") ? "metrics" : "other";
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
