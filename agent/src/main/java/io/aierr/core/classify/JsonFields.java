package io.aierr.core.classify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scalar values of a JSON document by dotted path ({@code error.details.retryDelay}), array
 * positions left out, so every provider's error shape can be read with a list of paths instead of
 * a parser per provider. Streams with jackson-core and stops at a bounded number of values; a
 * truncated or broken document keeps what was read before the break.
 */
final class JsonFields {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build())
            .build();
    private static final int MAX_VALUES = 512;
    private static final int MAX_VALUE_CHARS = 2000;

    private final Map<String, List<String>> values;
    /** True when the body parsed as JSON at least up to its first value. */
    final boolean isJson;

    private JsonFields(Map<String, List<String>> values, boolean isJson) {
        this.values = values;
        this.isJson = isJson;
    }

    static JsonFields parse(byte[] body) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        boolean json = false;
        int count = 0;
        try (JsonParser p = JSON.createParser(body)) {
            Deque<String> path = new ArrayDeque<>();
            JsonToken t;
            while ((t = p.nextToken()) != null && count < MAX_VALUES) {
                json = true;
                switch (t) {
                    case START_OBJECT:
                    case START_ARRAY:
                        path.push(fieldOrNone(p));
                        break;
                    case END_OBJECT:
                    case END_ARRAY:
                        path.pop();
                        break;
                    case FIELD_NAME:
                        break;
                    default:
                        String key = join(path, fieldOrNone(p));
                        String text = t == JsonToken.VALUE_NULL ? null : p.getText();
                        if (text != null) {
                            if (text.length() > MAX_VALUE_CHARS) {
                                text = text.substring(0, MAX_VALUE_CHARS);
                            }
                            values.computeIfAbsent(key, k -> new ArrayList<>(1)).add(text);
                            count++;
                        }
                }
            }
        } catch (IOException | RuntimeException brokenOrTruncated) {
            // keep what was read: a 64 KiB prefix of a long error still names its code
        }
        return new JsonFields(values, json);
    }

    /** The first value at the first of these paths that has one, or null. */
    String first(String... paths) {
        for (String path : paths) {
            List<String> found = values.get(path);
            if (found != null && !found.isEmpty()) {
                return found.get(0);
            }
        }
        return null;
    }

    List<String> all(String path) {
        List<String> found = values.get(path);
        return found == null ? Collections.emptyList() : found;
    }

    /** The field that holds the current token, or "" inside an array or at the root. */
    private static String fieldOrNone(JsonParser p) throws IOException {
        String name = p.currentName();
        return name == null ? "" : name;
    }

    private static String join(Deque<String> path, String leaf) {
        StringBuilder b = new StringBuilder();
        for (Iterator<String> it = path.descendingIterator(); it.hasNext(); ) {
            String part = it.next();
            if (!part.isEmpty()) {
                b.append(part).append('.');
            }
        }
        if (leaf.isEmpty() && b.length() > 0) {
            b.setLength(b.length() - 1);
        }
        return b.append(leaf).toString();
    }
}
