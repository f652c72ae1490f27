package io.aierr.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The settings given after the jar, {@code -javaagent:aierr.jar=aierr.exporter=console,aierr.retry.max-attempts=3}
 * (or to {@code java -jar aierr.jar attach <pid> ...}). Every key is a full property name, starting
 * with {@code aierr.} or {@code otel.}, so values may hold commas of their own: a comma starts a new
 * pair only when such a name and {@code =} follow it, and
 * {@code aierr.endpoints=a:8000=openai,b:9000=vllm,aierr.exporter=console} is two pairs. When the
 * text holds a {@code ;}, pairs are split at {@code ;} only and every comma belongs to a value
 * ({@code aierr.endpoints=otel.example:4000=vllm,b=openai;aierr.exporter=console}).
 * Anything else is one warning line and is left out; values are never echoed (they may be secrets).
 */
public final class AgentArguments {
    public static final AgentArguments NONE = new AgentArguments(Collections.emptyMap(), Collections.emptyList());

    private static final String NAME = "(?:aierr|otel)\\.[A-Za-z0-9._-]+";
    private static final Pattern KEY = Pattern.compile(NAME);
    /** A comma that a property name and '=' follow. */
    private static final Pattern PAIR_START = Pattern.compile(",(?=\\s*" + NAME + "\\s*=)");
    private static final int ECHO_LIMIT = 40;

    /** Property name to value, in the order given; a name given twice keeps its last value. */
    public final Map<String, String> values;
    /** One line per part that was left out, already phrased for stderr. */
    public final List<String> warnings;

    private AgentArguments(Map<String, String> values, List<String> warnings) {
        this.values = values;
        this.warnings = warnings;
    }

    /** @param text what the JVM passed to premain or agentmain; null or blank for none */
    public static AgentArguments parse(String text) {
        if (text == null || text.trim().isEmpty()) {
            return NONE;
        }
        return of(text.indexOf(';') >= 0 ? text.split(";") : PAIR_START.split(text));
    }

    /** Each part one {@code name=value} pair as it is, split nowhere (the attach command's arguments). */
    public static AgentArguments of(String... parts) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (String part : parts) {
            if (part.trim().isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? "" : part.substring(0, eq).trim();
            if (!KEY.matcher(key).matches()) {
                // only what precedes '=' is shown: a value may be a secret
                String shown = eq < 0 ? part.trim() : key;
                warnings.add("aierr: ignoring agent argument '" + shorten(shown)
                        + "': expected name=value, the name starting aierr. or otel.");
                continue;
            }
            values.put(key.toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
        }
        return new AgentArguments(Collections.unmodifiableMap(values), Collections.unmodifiableList(warnings));
    }

    /** The syntax {@link #parse} reads back: pairs joined with ';', so that commas stay inside values. */
    public static String join(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append(out.length() == 0 ? "" : ";").append(k).append('=').append(v));
        return out.toString();
    }

    private static String shorten(String text) {
        return text.length() <= ECHO_LIMIT ? text : text.substring(0, ECHO_LIMIT) + "...";
    }
}
