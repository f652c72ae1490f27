package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.Telemetry;

import java.util.function.Consumer;

/**
 * {@code aierr.exporter=console}: one stderr line per error, ending in what aierr did about it
 * (retried after the wait it took, or give up), and one line when a retried call finally succeeded:
 * <pre>
 * aierr: openai 429 rate_limited (rate_limit_exceeded) POST http://host/v1/chat/completions attempt 1: Rate limit reached... -> retried after 1002ms (retry-after)
 * aierr: openai POST http://host/v1/chat/completions recovered: 200 on attempt 3 after 1300ms of backoff
 * </pre>
 */
final class ConsoleReporter implements Telemetry {
    /** A provider message is a hint, not a document; the full text is on the span. */
    static final int MESSAGE_LIMIT = 160;
    private final Consumer<String> out;

    ConsoleReporter(Consumer<String> out) {
        this.out = out;
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        return new Lines(info);
    }

    /** The lines of one call; an error line is held until the decision on it is known. */
    private final class Lines implements CallObserver {
        private final CallInfo info;
        private String pending;
        private long backoffMillis;

        Lines(CallInfo info) {
            this.info = info;
        }

        /** Redacted only when a line is written: most calls write none. */
        private String target() {
            return info.method + " " + Redaction.url(info.url);
        }

        @Override
        public void attemptResponded(int attempt, int status, ClassifiedError error) {
            if (error != null) {
                pending = "aierr: " + error.provider + " " + status + " " + error.category.id()
                        + (error.code == null ? "" : " (" + error.code + ")") + " " + target()
                        + " attempt " + attempt + message(error.message);
            }
        }

        @Override
        public void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
            pending = "aierr: " + info.provider + " " + (error == null ? "" : error.category.id() + " ")
                    + "(" + failure.getClass().getName() + ") " + target() + " attempt " + attempt
                    + message(failure.getMessage());
        }

        @Override
        public void backoff(int nextAttempt, long waitedMillis, BackoffSource source, String stretched) {
            backoffMillis += waitedMillis;
            if (nextAttempt == 1) {
                return; // waiting for its turn behind other calls is not an error worth a line
            }
            flush(" -> retried after " + waitedMillis + "ms (" + source.id()
                    + (stretched == null ? "" : ", stretched from " + stretched) + ")");
        }

        @Override
        public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure,
                              String giveUpReason) {
            if (pending != null) {
                flush(giveUpReason != null ? " -> giving up: " + giveUpReason : " -> the app gets the exception");
            } else if (giveUpReason != null) {
                out.accept("aierr: " + info.provider + " " + target() + " " + giveUpReason);
            } else if (attempts > 1 && !Outcome.failed(status, failure)) {
                out.accept("aierr: " + info.provider + " " + target() + " recovered: " + status + " on attempt "
                        + attempts + " after " + backoffMillis + "ms of backoff");
            }
        }

        private void flush(String decision) {
            if (pending != null) {
                out.accept(pending + decision);
                pending = null;
            }
        }
    }

    private static String message(String message) {
        if (message == null || message.isEmpty()) {
            return "";
        }
        String m = Redaction.text(message).replaceAll("\\s+", " ").trim();
        return ": " + (m.length() > MESSAGE_LIMIT ? m.substring(0, MESSAGE_LIMIT) + "..." : m);
    }
}
