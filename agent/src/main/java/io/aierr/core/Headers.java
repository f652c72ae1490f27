package io.aierr.core;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Response headers with case-insensitive names, independent of any HTTP client. */
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
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
                copy.merge(e.getKey(), e.getValue(), (a, b) -> {
                    List<String> both = new java.util.ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
            }
        }
        return new Headers(copy);
    }

    /** The first value of the header, or null. */
    public String first(String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() ? null : list.get(0);
    }

    public List<String> all(String name) {
        List<String> list = values.get(name);
        return list == null ? Collections.emptyList() : list;
    }

    /** The same headers with this one's values replaced by {@code value}. */
    public Headers with(String name, String value) {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(values);
        copy.put(name, Collections.singletonList(value));
        return new Headers(copy);
    }

    public Iterable<String> names() {
        return values.keySet();
    }
}
