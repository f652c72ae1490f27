package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.Telemetry;

import java.nio.charset.Charset;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code aierr.exporter=console}: one stderr line per error, ending in what aierr did about it
 * (retried after the wait it took, or give up), and one line when a retried call finally succeeded.
 * Each line starts with the time of what it reports (UTC, ISO-8601) and the call's number, so the
 * lines of concurrent calls can be told apart, and is at most {@link #LINE_LIMIT} characters:
 * <pre>
 * 2026-12-07T04:54:30.123Z aierr call=7 openai 429 rate_limited (rate_limit_exceeded) POST http://host/v1/chat/completions attempt 1: Rate limit reached… -> retried after 340ms (retry-after-ms 250ms, paced to 340ms)
 * 2026-12-07T04:54:30.470Z aierr call=7 openai POST http://host/v1/chat/completions recovered: 200 on attempt 2 after 340ms of backoff
 * </pre>
 */
final class ConsoleReporter implements Telemetry {
    /** The longest line: a log line an SRE reads, not a document. The full text is on the span. */
    static final int LINE_LIMIT = 300;
    /** A provider message is a hint: at most this much of it, less when the rest of the line is long. */
    static final int MESSAGE_LIMIT = 160;
    /** The method and URL: at most this much, so that a long query string leaves room for the message. */
    static final int TARGET_LIMIT = 100;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Consumer<String> out;
    private final Clock clock;
    /** "…", or "..." where stderr cannot encode it (a POSIX locale) and would print "?". */
    private final String ellipsis;
    private final AtomicLong calls = new AtomicLong();

    ConsoleReporter(Consumer<String> out) {
        this(out, Clock.systemUTC(), canEncodeEllipsis(stderrCharset()));
    }

    ConsoleReporter(Consumer<String> out, Clock clock, boolean unicodeEllipsis) {
        this.out = out;
        this.clock = clock;
        this.ellipsis = unicodeEllipsis ? "…" : "...";
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        return new Lines(info, calls.incrementAndGet());
    }

    /** The lines of one call; an error line is held until the decision on it is known. */
    private final class Lines implements CallObserver {
        private final CallInfo info;
        private final long id;
        /** Everything of the held error line before its message, and the message; null when none is held. */
        private String pendingHead;
        private String pendingMessage;
        private long backoffMillis;

        Lines(CallInfo info, long id) {
            this.info = info;
            this.id = id;
        }

        /** The time and call number every line of this call starts with, and the provider. */
        private String head(String provider) {
            return TIME.format(clock.instant()) + " aierr call=" + id + " " + provider + " ";
        }

        /** Redacted only when a line is written: most calls write none. */
        private String target() {
            return cut(info.method + " " + Redaction.url(info.url), TARGET_LIMIT);
        }

        @Override
        public void attemptResponded(int attempt, int status, ClassifiedError error) {
            if (error != null) {
                pendingHead = head(error.provider) + status + " " + error.category.id()
                        + (error.code == null ? "" : " (" + cut(error.code, 40) + ")") + " " + target()
                        + " attempt " + attempt;
                pendingMessage = error.message;
            }
        }

        @Override
        public void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
            pendingHead = head(info.provider) + (error == null ? "" : error.category.id() + " ")
                    + "(" + failure.getClass().getName() + ") " + target() + " attempt " + attempt;
            pendingMessage = failure.getMessage();
        }

        /** Reached the app inside its stream: nothing is decided on it, so its line is written at once. */
        @Override
        public void inBandError(ClassifiedError error) {
            String head = head(error.provider) + "200 " + error.category.id()
                    + (error.code == null ? "" : " (" + cut(error.code, 40) + ")") + " " + target() + " in the stream";
            String end = " -> passed to the app in its stream";
            write(head + message(error.message, LINE_LIMIT - head.length() - end.length()) + end);
        }

        @Override
        public void backoff(int nextAttempt, long waitedMillis, BackoffSource source, String stretched) {
            backoffMillis += waitedMillis;
            if (nextAttempt == 1) {
                return; // waiting for its turn behind other calls is not an error worth a line
            }
            // a stretched wait names the call's own wait (the server's hint) first: what the server asked for
            flush(" -> retried after " + waitedMillis + "ms (" + (stretched == null ? source.id()
                    : stretched + ", " + source.id() + " to " + waitedMillis + "ms") + ")");
        }

        @Override
        public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure,
                              String giveUpReason) {
            if (pendingHead != null) {
                flush(giveUpReason != null ? " -> giving up: " + giveUpReason : " -> the app gets the exception");
            } else if (giveUpReason != null) {
                write(head(info.provider) + target() + " " + giveUpReason);
            } else if (attempts > 1 && !Outcome.failed(status, error, failure)) {
                write(head(info.provider) + target() + " recovered: " + status + " on attempt " + attempts + " after "
                        + backoffMillis + "ms of backoff");
            }
        }

        private void flush(String decision) {
            if (pendingHead != null) {
                write(pendingHead + message(pendingMessage, LINE_LIMIT - pendingHead.length() - decision.length())
                        + decision);
                pendingHead = null;
                pendingMessage = null;
            }
        }
    }

    private void write(String line) {
        out.accept(cut(line, LINE_LIMIT));
    }

    /** {@code ": message"}, redacted, on one line and cut to fit {@code room} characters (nothing when none fit). */
    private String message(String message, int room) {
        if (message == null || message.isEmpty()) {
            return "";
        }
        String m = Redaction.text(message).replaceAll("\\s+", " ").trim();
        int fits = Math.min(MESSAGE_LIMIT, room - 2);
        if (m.isEmpty() || fits < ellipsis.length() + 8) {
            return "";
        }
        return ": " + cut(m, fits);
    }

    private String cut(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - ellipsis.length()) + ellipsis;
    }

    /** The charset System.err writes with: {@code stderr.encoding} (JDK 19+), else the default charset (JDK 17). */
    static Charset stderrCharset() {
        String name = System.getProperty("stderr.encoding", System.getProperty("sun.stderr.encoding"));
        try {
            if (name != null) {
                return Charset.forName(name);
            }
        } catch (RuntimeException unknown) {
            // the default below
        }
        return Charset.defaultCharset();
    }

    static boolean canEncodeEllipsis(Charset charset) {
        return charset.newEncoder().canEncode('…');
    }
}
