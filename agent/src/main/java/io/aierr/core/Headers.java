package io.aierr.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Response headers with case-insensitive names, independent of any HTTP client. Names are kept in
 * lower case in a hash map: every AI answer is looked up for a dozen rate-limit counters, and the
 * lower-case names aierr asks for hash once, where a case-insensitive tree compared them per node.
 */
public final class Headers {
    public static final Headers EMPTY = new Headers(Collections.emptyMap());

    private final Map<String, List<String>> values;

    private Headers(Map<String, List<String>> values) {
        this.values = values;
    }

    public static Headers of(Map<String, List<String>> map) {
        if (map == null || map.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> copy = new HashMap<>(map.size() * 2);
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
                copy.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
            }
        }
        return new Headers(copy);
    }

    /**
     * Headers from a client's own list of name-value pairs, read by index: without the map of lists
     * a client would build first (OkHttp's {@code toMultimap} lowers every name into a tree).
     */
    public static Headers ofPairs(int count, IntFunction<String> name, IntFunction<String> value) {
        if (count <= 0) {
            return EMPTY;
        }
        Map<String, List<String>> map = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            String n = name.apply(i);
            String v = value.apply(i);
            if (n != null && v != null) {
                map.computeIfAbsent(n.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(v);
            }
        }
        return new Headers(map);
    }

    /** The first value of the header, or null. */
    public String first(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    public List<String> all(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null ? Collections.emptyList() : list;
    }

    /** The same headers with this one's values replaced by {@code value}. */
    public Headers with(String name, String value) {
        Map<String, List<String>> copy = new HashMap<>(values);
        copy.put(name.toLowerCase(Locale.ROOT), Collections.singletonList(value));
        return new Headers(copy);
    }
}
