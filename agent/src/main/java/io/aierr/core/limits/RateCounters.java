package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.RetryHints;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The counters of one of a provider's buckets, as it sends them with its responses: OpenAI-style
 * {@code x-ratelimit-limit-<bucket>}, {@code -remaining-<bucket>} and {@code -reset-<bucket>} (a
 * duration until the bucket is full again), or Anthropic's {@code anthropic-ratelimit-<bucket>-*}
 * (the reset as a timestamp). Buckets: {@code requests}, {@code tokens}; Anthropic also
 * {@code input-tokens} and {@code output-tokens}.
 */
public final class RateCounters {
    /** Compiled once, as {@code String.matches} would compile it for every answer. */
    private static final Pattern COUNT = Pattern.compile("\\d{1,15}");

    final long limit;
    final long remaining;
    /** Time until the bucket is full again, ms. */
    final long resetMillis;

    private RateCounters(long limit, long remaining, long resetMillis) {
        this.limit = limit;
        this.remaining = remaining;
        this.resetMillis = resetMillis;
    }

    /** The request bucket's counters in these headers, or null when they are absent or do not parse. */
    public static RateCounters from(Headers h, long receivedAtMillis) {
        return of("requests", h, receivedAtMillis);
    }

    /** The counters of the named bucket in these headers, or null when they are absent or do not parse. */
    public static RateCounters of(String bucket, Headers h, long receivedAtMillis) {
        Names n = Names.of(bucket);
        Long limit = count(h.first(n.limit));
        Long remaining = count(h.first(n.remaining));
        Long reset = RetryHints.goDuration(h.first(n.reset));
        if (limit == null) {
            limit = count(h.first(n.anthropicLimit));
            remaining = count(h.first(n.anthropicRemaining));
            Long at = RetryHints.timestamp(h.first(n.anthropicReset));
            reset = at == null ? null : Math.max(0, at - RetryHints.serverNow(h, receivedAtMillis));
        }
        if (limit == null || remaining == null || reset == null || remaining > limit) {
            return null;
        }
        return new RateCounters(limit, remaining, reset);
    }

    /** A bucket's header names, made once: every AI answer is read for four buckets. */
    private static final class Names {
        private static final Map<String, Names> KNOWN = Map.of("requests", new Names("requests"),
                "tokens", new Names("tokens"), "input-tokens", new Names("input-tokens"),
                "output-tokens", new Names("output-tokens"));

        final String limit;
        final String remaining;
        final String reset;
        final String anthropicLimit;
        final String anthropicRemaining;
        final String anthropicReset;

        private Names(String bucket) {
            limit = "x-ratelimit-limit-" + bucket;
            remaining = "x-ratelimit-remaining-" + bucket;
            reset = "x-ratelimit-reset-" + bucket;
            anthropicLimit = "anthropic-ratelimit-" + bucket + "-limit";
            anthropicRemaining = "anthropic-ratelimit-" + bucket + "-remaining";
            anthropicReset = "anthropic-ratelimit-" + bucket + "-reset";
        }

        static Names of(String bucket) {
            Names known = KNOWN.get(bucket);
            return known != null ? known : new Names(bucket);
        }
    }

    /**
     * Units per second the bucket refills at: the used part refills within the reset time.
     * 0 when the counters cannot tell (a full bucket, or no reset time). An upper bound: the
     * remaining count is whole units, while the bucket may hold a fraction of one more, so the
     * used part may be up to one unit less (a quarter less in a bucket of 5 holding 0.9).
     */
    double refillRate() {
        if (remaining >= limit || resetMillis <= 0) {
            return 0;
        }
        return (limit - remaining) * 1000.0 / resetMillis;
    }

    /** The least the refill rate can be, given that the remaining count may hide a fraction of a unit: see {@link #refillRate()}. */
    double leastRefillRate() {
        if (remaining + 1 >= limit || resetMillis <= 0) {
            return 0;
        }
        return (limit - remaining - 1) * 1000.0 / resetMillis;
    }

    /** A whole count of up to 15 digits, or null. */
    private static Long count(String value) {
        if (value == null) {
            return null;
        }
        String digits = value.trim();
        return COUNT.matcher(digits).matches() ? Long.parseLong(digits) : null;
    }
}
