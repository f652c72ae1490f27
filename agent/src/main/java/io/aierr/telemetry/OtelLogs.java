package io.aierr.telemetry;

import io.opentelemetry.api.OpenTelemetry;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The SDK reports export failures through java.util.logging, by default as multi-line records on
 * stderr on every attempt: a collector that is down would flood the app's output. Its loggers
 * are turned into a single aierr line, said once.
 */
final class OtelLogs {
    /** JUL holds loggers weakly; the configured one must stay reachable or its settings go. */
    private static Logger sdkRoot;

    private OtelLogs() {
    }

    static synchronized void reportOnce(Consumer<String> warn, String endpoint) {
        if (sdkRoot != null) {
            return;
        }
        // the SDK's package as it is named in this jar (relocated when shaded)
        String root = OpenTelemetry.class.getPackage().getName().replaceFirst("\\.api$", "");
        Logger logger = Logger.getLogger(root);
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.WARNING);
        logger.addHandler(new FirstWarning(warn, endpoint));
        sdkRoot = logger;
    }

    private static final class FirstWarning extends Handler {
        private final Consumer<String> warn;
        private final String endpoint;
        private final AtomicBoolean said = new AtomicBoolean();
        private final SimpleFormatter formatter = new SimpleFormatter();

        FirstWarning(Consumer<String> warn, String endpoint) {
            this.warn = warn;
            this.endpoint = endpoint;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue() && said.compareAndSet(false, true)) {
                String what = formatter.formatMessage(record).replaceAll("\\s+", " ").trim();
                warn.accept(Redaction.text("OpenTelemetry export to " + endpoint + " failing (" + what
                        + "); further export problems are not shown, AI calls are unaffected"));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
