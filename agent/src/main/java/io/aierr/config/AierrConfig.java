package io.aierr.config;

import io.aierr.core.EndpointMatcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * aierr's settings, read once at start. Each property is looked up in this order, the first found
 * wins: the system property, the agent argument ({@code -javaagent:aierr.jar=name=value,...}, see
 * {@link AgentArguments}), the environment variable ({@code aierr.retry.max-attempts} ->
 * {@code AIERR_RETRY_MAX_ATTEMPTS}), the default. A bad value never stops the application: it adds
 * one warning line and the default is used.
 */
public final class AierrConfig {
    public static final String DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";
    /** Largest {@code aierr.retry.replay-limit}: one Java array. */
    private static final long MAX_REPLAY_LIMIT = 1L << 30;

    public final boolean enabled;
    public final List<String> endpoints;
    public final boolean retryEnabled;
    public final Set<Integer> retryStatuses;
    public final int maxAttempts;
    public final long initialBackoffMillis;
    public final long isolatedBackoffMillis;
    public final long maxBackoffMillis;
    public final long maxWaitMillis;
    /**
     * {@code aierr.retry.replay-limit}: bytes of a request body the client cannot re-create that are
     * captured for replay, per call; 0 when off.
     */
    public final long replayLimitBytes;
    /** {@code aierr.ratelimit.gate}: calls to one endpoint share its rate-limit hints and are paced together. */
    public final boolean gate;
    /** {@code aierr.ratelimit.tokens}: calls wait for their estimated tokens when the server's token buckets run low. */
    public final boolean tokens;
    /** {@code aierr.ratelimit.adaptive}: without rate headers, learn the sustainable rate from 429s. */
    public final boolean adaptiveRate;
    /** {@code aierr.retry.budget}: retries of outages as a share of calls over 10 s; negative when off. */
    public final double retryBudget;
    /** {@code aierr.breaker.failures}: failed attempts in a row that open an endpoint's breaker; 0 when off. */
    public final int breakerFailures;
    public final long breakerOpenMillis;
    /**
     * {@code aierr.retry.resend-window}: an app's resend of a request aierr settled, within this time,
     * continues that call instead of starting a fresh one; 0 when off.
     */
    public final long resendWindowMillis;
    /**
     * {@code aierr.stream.first-event-wait}: a replayable call's event stream goes to the app once its
     * first event shows no in-band error, held at most this long (and 16 KiB); 0 when never held.
     */
    public final long firstEventWaitMillis;
    /**
     * {@code aierr.coordination}: {@code local}, or the {@code redis://} URL through which JVMs that
     * share an endpoint share its limits; checked where it is used, as it may hold a password.
     */
    public final String coordination;
    /** {@code aierr.coordination.deadline}: how long one Redis call may take before aierr goes on alone. */
    public final long coordinationDeadlineMillis;
    /** {@code aierr.exporter}: any of {@code otlp}, {@code console}; empty for {@code none}. */
    public final Set<String> exporters;
    public final boolean summary;
    /**
     * Where aierr's OTLP exports may go, per signal ({@code otel.exporter.otlp[.traces|.metrics].endpoint},
     * as given): requests to them are aierr's own traffic, never AI calls. The SDK's autoconfiguration
     * validates and uses them.
     */
    public final List<String> collectorEndpoints;
    /**
     * {@code otel.*} settings given as agent arguments and not as system properties: they outrank
     * the environment, as aierr's own do.
     */
    public final Map<String, String> otelArguments;
    /** One line per bad value, already phrased for stderr. */
    public final List<String> warnings;
    /** Standard OpenTelemetry settings are read by the SDK's autoconfiguration, from the same sources. */
    private final Function<String, String> lookup;

    private AierrConfig(Reader r, AgentArguments arguments) {
        lookup = r.lookup;
        enabled = r.bool("aierr.enabled", true);
        endpoints = r.endpoints("aierr.endpoints");
        retryEnabled = r.bool("aierr.retry.enabled", true);
        retryStatuses = r.statuses("aierr.retry.statuses", "429,450,503,529");
        maxAttempts = r.integer("aierr.retry.max-attempts", 5, 1, 100);
        initialBackoffMillis = r.duration("aierr.retry.initial-backoff", 500);
        isolatedBackoffMillis = r.duration("aierr.retry.isolated-backoff", 50);
        maxBackoffMillis = r.duration("aierr.retry.max-backoff", 30_000);
        maxWaitMillis = r.duration("aierr.retry.max-wait", 60_000);
        replayLimitBytes = r.size("aierr.retry.replay-limit", 1 << 20, MAX_REPLAY_LIMIT);
        gate = r.bool("aierr.ratelimit.gate", true);
        adaptiveRate = r.bool("aierr.ratelimit.adaptive", true);
        tokens = r.bool("aierr.ratelimit.tokens", true);
        retryBudget = r.fraction("aierr.retry.budget", 0.2);
        boolean breakerEnabled = r.bool("aierr.breaker.enabled", true);
        int failures = r.integer("aierr.breaker.failures", 10, 1, 10_000);
        breakerFailures = breakerEnabled ? failures : 0;
        breakerOpenMillis = r.duration("aierr.breaker.open-for", 5_000);
        resendWindowMillis = r.duration("aierr.retry.resend-window", 30_000);
        firstEventWaitMillis = r.duration("aierr.stream.first-event-wait", 2_000);
        String fleet = r.raw("aierr.coordination");
        coordination = fleet == null ? "local" : fleet;
        coordinationDeadlineMillis = r.duration("aierr.coordination.deadline", 50);
        exporters = r.exporters("aierr.exporter");
        summary = r.bool("aierr.summary", true);
        collectorEndpoints = r.collectorEndpoints();
        Map<String, String> otel = new java.util.TreeMap<>();
        arguments.values.forEach((name, value) -> {
            if (name.startsWith("otel.") && System.getProperty(name) == null) {
                otel.put(name, value);
            }
        });
        otelArguments = Collections.unmodifiableMap(otel);
        List<String> all = new ArrayList<>(arguments.warnings);
        for (String name : arguments.values.keySet()) {
            if (name.startsWith("aierr.") && !r.read.contains(name)) {
                all.add("aierr: ignoring agent argument '" + name + "': aierr has no such property");
            }
        }
        all.addAll(r.warnings);
        warnings = Collections.unmodifiableList(all);
    }

    /**
     * A standard OpenTelemetry setting ({@code otel.*}) as given, looked up as aierr's own settings
     * are (system property, agent argument, environment), or null; the SDK validates it.
     */
    public String otel(String name) {
        String value = lookup.apply(name);
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }

    /** Whether {@code otlp} is among {@code aierr.exporter}. */
    public boolean exportsOtlp() {
        return exporters.contains("otlp");
    }

    /** Reads system properties, then environment variables. */
    public static AierrConfig load() {
        return load(AgentArguments.NONE);
    }

    /**
     * Reads system properties, then the agent's arguments, then environment variables. An argument
     * named {@code aierr.*} that no setting reads adds a warning (a typo would otherwise go unseen).
     */
    public static AierrConfig load(AgentArguments arguments) {
        return new AierrConfig(new Reader(lookup(arguments.values)), arguments);
    }

    /** System property, then agent argument, then environment variable. */
    static Function<String, String> lookup(Map<String, String> agentArguments) {
        return name -> {
            String value = System.getProperty(name);
            if (value == null) {
                value = agentArguments.get(name);
            }
            return value != null ? value : System.getenv(envName(name));
        };
    }

    /** Reads from any lookup of property names; used by tests and the CLI. */
    public static AierrConfig from(Function<String, String> lookup) {
        return new AierrConfig(new Reader(lookup), AgentArguments.NONE);
    }

    /** {@code aierr.retry.max-attempts} -> {@code AIERR_RETRY_MAX_ATTEMPTS}. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Parses {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h} or plain milliseconds.
     *
     * @throws IllegalArgumentException on anything else, negative values included
     */
    public static long parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String digits = t;
        if (t.endsWith("ms")) {
            digits = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1000;
            digits = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 60_000;
            digits = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unit = 3_600_000;
            digits = t.substring(0, t.length() - 1);
        }
        digits = digits.trim();
        if (digits.isEmpty() || !digits.matches("\\d{1,12}")) {
            throw new IllegalArgumentException("not a duration");
        }
        return Long.parseLong(digits) * unit;
    }

    /**
     * Parses a size in bytes: {@code 1048576}, or with a binary unit {@code 512KiB}, {@code 1MiB},
     * {@code 1GiB} ({@code B} for bytes; units are case-insensitive).
     *
     * @throws IllegalArgumentException on anything else, negative or fractional values included
     */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String digits = t;
        String[] units = {"kib", "mib", "gib", "b"};
        long[] factors = {1L << 10, 1L << 20, 1L << 30, 1};
        for (int i = 0; i < units.length; i++) {
            if (t.endsWith(units[i])) {
                unit = factors[i];
                digits = t.substring(0, t.length() - units[i].length()).trim();
                break;
            }
        }
        if (digits.isEmpty() || !digits.matches("\\d{1,12}")) {
            throw new IllegalArgumentException("not a size");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("not a size");
        }
    }

    /** Collects typed values and the warnings for the bad ones. */
    private static final class Reader {
        final Function<String, String> lookup;
        final List<String> warnings = new ArrayList<>();
        /** Every name a setting asked for, to tell an agent argument no setting reads. */
        final Set<String> read = new java.util.HashSet<>();

        Reader(Function<String, String> lookup) {
            this.lookup = lookup;
        }

        String raw(String name) {
            read.add(name);
            String value = lookup.apply(name);
            return value == null || value.trim().isEmpty() ? null : value.trim();
        }

        void warn(String name, String value, String expected, Object fallback) {
            warnings.add("aierr: ignoring " + name + "='" + value + "': expected " + expected
                    + "; using " + fallback);
        }

        boolean bool(String name, boolean fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            warn(name, v, "true or false", fallback);
            return fallback;
        }

        int integer(String name, int fallback, int min, int max) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // warned below
            }
            warn(name, v, "a whole number from " + min + " to " + max, fallback);
            return fallback;
        }

        long duration(String name, long fallbackMillis) {
            String v = raw(name);
            if (v == null) {
                return fallbackMillis;
            }
            try {
                return parseDuration(v);
            } catch (IllegalArgumentException e) {
                warn(name, v, "a duration like 250ms, 2s, 1m or plain milliseconds", fallbackMillis + "ms");
                return fallbackMillis;
            }
        }

        long size(String name, long fallback, long max) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            if (v.equalsIgnoreCase("off")) {
                return 0;
            }
            try {
                long bytes = parseSize(v);
                if (bytes <= max) {
                    return bytes;
                }
            } catch (IllegalArgumentException ignored) {
                // warned below
            }
            warn(name, v, "a size up to 1GiB like 512KiB, 1MiB or plain bytes (0 or off for none)",
                    fallback % (1 << 20) == 0 ? fallback / (1 << 20) + "MiB" : fallback + " bytes");
            return fallback;
        }

        /** {@code 20%}, {@code 0.2} or {@code off} (returned as -1). */
        double fraction(String name, double fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            if (v.equalsIgnoreCase("off")) {
                return -1;
            }
            try {
                boolean percent = v.endsWith("%");
                double f = percent ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100
                        : Double.parseDouble(v);
                // a bare 20 is far more likely a percentage typed without its sign than 2000 %: refuse it
                if (f >= 0 && (percent ? f <= 10 : f <= 1)) {
                    return f;
                }
            } catch (NumberFormatException ignored) {
                // warned below
            }
            warn(name, v, "a share like 20% or 0.2 (a bare number is at most 1), or off",
                    (int) Math.round(fallback * 100) + "%");
            return fallback;
        }

        /** {@code otlp}, {@code console}, {@code none}, or a comma list such as {@code otlp,console}. */
        Set<String> exporters(String name) {
            String v = raw(name);
            Set<String> out = new LinkedHashSet<>();
            if (v == null) {
                out.add("otlp");
                return Collections.unmodifiableSet(out);
            }
            for (String part : v.split(",")) {
                String e = part.trim().toLowerCase(Locale.ROOT);
                if (e.equals("otlp") || e.equals("console")) {
                    out.add(e);
                } else if (!e.equals("none") && !e.isEmpty()) {
                    warn(name, v, "otlp, console or none, or a comma list such as otlp,console", "otlp");
                    return Collections.singleton("otlp");
                }
            }
            return Collections.unmodifiableSet(out);
        }

        List<String> collectorEndpoints() {
            List<String> out = new ArrayList<>();
            String all = raw("otel.exporter.otlp.endpoint");
            out.add(all == null ? DEFAULT_OTLP_ENDPOINT : all);
            for (String signal : new String[] {"traces", "metrics"}) {
                String v = raw("otel.exporter.otlp." + signal + ".endpoint");
                if (v != null) {
                    out.add(v);
                }
            }
            // aierr exports http/protobuf to port 4318 where grpc's 4317 was given
            for (String e : new ArrayList<>(out)) {
                if (e.contains(":4317")) {
                    out.add(e.replace(":4317", ":4318"));
                }
            }
            return Collections.unmodifiableList(out);
        }

        Set<Integer> statuses(String name, String fallback) {
            String v = raw(name);
            if (v != null) {
                Set<Integer> parsed = parseStatuses(v);
                if (parsed != null) {
                    return parsed;
                }
                warn(name, v, "comma-separated HTTP status codes (100-599)", fallback);
            }
            return parseStatuses(fallback);
        }

        static Set<Integer> parseStatuses(String text) {
            Set<Integer> out = new LinkedHashSet<>();
            for (String part : text.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                try {
                    int s = Integer.parseInt(p);
                    if (s < 100 || s > 599) {
                        return null;
                    }
                    out.add(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return Collections.unmodifiableSet(out);
        }

        List<String> endpoints(String name) {
            String v = raw(name);
            if (v == null) {
                return Collections.emptyList();
            }
            List<String> out = new ArrayList<>();
            for (String part : v.split(",")) {
                String entry = part.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                String problem = EndpointMatcher.validate(entry);
                if (problem == null) {
                    out.add(entry);
                } else {
                    warnings.add("aierr: ignoring entry of " + name + ": " + problem);
                }
            }
            return Collections.unmodifiableList(out);
        }
    }
}
