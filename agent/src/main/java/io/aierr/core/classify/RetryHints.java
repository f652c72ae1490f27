package io.aierr.core.classify;

import io.aierr.core.Headers;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads how long the server asks the client to wait, from the many places providers put it. The
 * first source that yields a value wins, in this order: {@code retry-after-ms} /
 * {@code x-ms-retry-after-ms}, {@code retry-after} (seconds or HTTP-date), the reset time of a
 * rate-limit bucket whose {@code remaining} is 0 (OpenAI-style durations, Anthropic timestamps),
 * then the body (a spent bucket's reset the body repeats, as OpenRouter does, Gemini
 * {@code RetryInfo}, a "try again in 20s" message). A value that does not parse is ignored, never
 * guessed at. A daily limit waits at least until the day's reset ({@link #untilDailyReset}).
 */
public final class RetryHints {
    /** Longer than any wait a caller would accept; keeps arithmetic far from overflow. */
    private static final long MAX_HINT_MILLIS = 7L * 24 * 3600 * 1000;
    private static final String[] BUCKETS = {"requests", "tokens", "input-tokens", "output-tokens"};
    /** Compiled once: counters and hints are read from every AI answer. */
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern EPOCH = Pattern.compile("\\d{10}|\\d{13}");
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");
    private static final Pattern TRY_AGAIN = Pattern.compile(
            "(?:try again|retry) (?:in|after) (\\d+(?:\\.\\d+)?) ?(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)\\b",
            Pattern.CASE_INSENSITIVE);

    private RetryHints() {
    }

    static RetryHint find(ErrorResponse response, JsonFields body, String bodyText) {
        Headers h = response.headers;
        RetryHint hint = millisHeader(h, BackoffSource.RETRY_AFTER_MS);
        if (hint == null) {
            hint = millisHeader(h, BackoffSource.X_MS_RETRY_AFTER_MS);
        }
        if (hint == null) {
            hint = retryAfter(h.first("retry-after"), response);
        }
        if (hint == null) {
            hint = exhaustedBucketReset(response);
        }
        if (hint == null && body != null) {
            hint = bodyNamedReset(body, response);
        }
        if (hint == null && body != null) {
            Long delay = goDuration(body.first("error.details.retryDelay", "details.retryDelay"));
            hint = delay == null ? null : new RetryHint(delay, BackoffSource.RETRY_INFO);
        }
        if (hint == null && bodyText != null) {
            Matcher m = TRY_AGAIN.matcher(bodyText);
            if (m.find()) {
                hint = new RetryHint(scaled(m.group(1), m.group(2)), BackoffSource.MESSAGE);
            }
        }
        return hint;
    }

    private static RetryHint millisHeader(Headers h, BackoffSource header) {
        Double ms = number(h.first(header.id()));
        return ms == null ? null : new RetryHint(bounded(ms), header);
    }

    /** {@code Retry-After}: delta-seconds (fractions accepted) or an HTTP-date. */
    private static RetryHint retryAfter(String value, ErrorResponse response) {
        if (value == null) {
            return null;
        }
        Double seconds = number(value);
        if (seconds != null) {
            return new RetryHint(bounded(seconds * 1000), BackoffSource.RETRY_AFTER);
        }
        Long at = httpDate(value);
        return at == null ? null : new RetryHint(bounded(at - serverNow(response)), BackoffSource.RETRY_AFTER);
    }

    /**
     * When a bucket is spent ({@code x-ratelimit-remaining-requests: 0}), its reset is when a
     * retry can pass; the reset of a bucket with room left says nothing about this error. With
     * several spent buckets, the latest reset counts.
     */
    private static RetryHint exhaustedBucketReset(ErrorResponse response) {
        Headers h = response.headers;
        long longest = -1;
        Long latestAt = null;
        for (String bucket : BUCKETS) {
            if (isZero(h.first("x-ratelimit-remaining-" + bucket))) {
                Long d = goDuration(h.first("x-ratelimit-reset-" + bucket));
                if (d != null) {
                    longest = Math.max(longest, d);
                }
            }
            if (isZero(h.first("anthropic-ratelimit-" + bucket + "-remaining"))) {
                Long at = timestamp(h.first("anthropic-ratelimit-" + bucket + "-reset"));
                if (at != null) {
                    latestAt = latestAt == null ? at : Math.max(latestAt, at);
                }
            }
        }
        if (latestAt != null) {
            // the server's clock read once, for the latest of the spent buckets' resets
            longest = Math.max(longest, bounded(latestAt - serverNow(response)));
        }
        return longest < 0 ? null : new RetryHint(longest, BackoffSource.RATE_LIMIT_RESET);
    }

    /**
     * OpenRouter copies the spent bucket's headers into {@code error.metadata.headers}, its reset an
     * epoch time ({@code X-RateLimit-Reset: 1768348800000}); only a spent bucket's reset counts.
     */
    private static RetryHint bodyNamedReset(JsonFields body, ErrorResponse response) {
        String prefix = "error.metadata.headers.X-RateLimit-";
        if (!isZero(body.first(prefix + "Remaining"))) {
            return null;
        }
        Long at = epochMillis(body.first(prefix + "Reset"));
        return at == null ? null : new RetryHint(bounded(at - serverNow(response)), BackoffSource.RATE_LIMIT_RESET);
    }

    /** Epoch milliseconds (13 digits) or seconds (10 digits); anything else is not a time. */
    private static Long epochMillis(String value) {
        if (value == null || !EPOCH.matcher(value.trim()).matches()) {
            return null;
        }
        long n = Long.parseLong(value.trim());
        return n < 10_000_000_000L ? n * 1000 : n;
    }

    /**
     * The wait of a limit that resets daily: until the next midnight in the zone where the
     * provider resets it, by the server's clock, or the server's own hint when that is longer. A
     * rolling window may free a request sooner, but retrying at the edge of a daily allowance
     * only spends the next day's.
     */
    static RetryHint untilDailyReset(ErrorResponse response, RetryHint serverHint, ZoneId zone) {
        long now = serverNow(response);
        ZonedDateTime local = Instant.ofEpochMilli(now).atZone(zone);
        long reset = local.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        long wait = bounded(reset - now);
        return serverHint != null && serverHint.delayMillis >= wait ? serverHint
                : new RetryHint(wait, BackoffSource.RATE_LIMIT_RESET);
    }

    /** Go-style durations as OpenAI and Groq send them ({@code 6m0s}, {@code 20ms}, {@code 1.5s}), or plain seconds. */
    public static Long goDuration(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        Double plain = number(v);
        if (plain != null) {
            return bounded(plain * 1000);
        }
        Matcher m = GO_DURATION.matcher(v);
        double total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            total += scaledDouble(m.group(1), m.group(2));
            end = m.end();
        }
        return end == 0 || end != v.length() ? null : bounded(total);
    }

    private static long scaled(String amount, String unit) {
        return bounded(scaledDouble(amount, unit));
    }

    private static double scaledDouble(String amount, String unit) {
        double n = Double.parseDouble(amount);
        String u = unit.toLowerCase(Locale.ROOT);
        if (u.startsWith("ms") || u.startsWith("milli")) {
            return n;
        }
        if (u.equals("us") || u.equals("µs")) {
            return n / 1000;
        }
        if (u.equals("ns")) {
            return n / 1_000_000;
        }
        if (u.equals("h")) {
            return n * 3_600_000;
        }
        if (u.startsWith("m")) {
            return n * 60_000;
        }
        return n * 1000;
    }

    /**
     * The server's clock when it answered: its {@code Date} header, else our receive time. Read only
     * where a hint is a time of day: parsing the header costs more than the rest of this class.
     */
    private static long serverNow(ErrorResponse response) {
        return serverNow(response.headers, response.receivedAtMillis);
    }

    public static long serverNow(Headers headers, long receivedAtMillis) {
        Long date = httpDate(headers.first("date"));
        return date != null ? date : receivedAtMillis;
    }

    private static Long httpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** RFC 3339, as in {@code anthropic-ratelimit-requests-reset: 2024-05-01T12:00:30Z}. */
    public static Long timestamp(String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(value.trim()).toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static boolean isZero(String value) {
        Double n = number(value);
        return n != null && n == 0;
    }

    /** A non-negative decimal number, or null for anything else ("soon", "-1", "1e400"). */
    private static Double number(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.isEmpty() || v.length() > 20 || !DECIMAL.matcher(v).matches()) {
            return null;
        }
        return Double.parseDouble(v);
    }

    private static long bounded(double millis) {
        if (!(millis > 0)) {
            return 0;
        }
        return millis >= MAX_HINT_MILLIS ? MAX_HINT_MILLIS : (long) Math.ceil(millis);
    }
}
