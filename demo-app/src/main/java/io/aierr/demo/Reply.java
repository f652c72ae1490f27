package io.aierr.demo;

import java.util.LinkedHashMap;
import java.util.Map;

/** One response of the simulated endpoint: status, headers and body as they go on the wire. */
record Reply(int status, Map<String, String> headers, String body) {

    static Reply json(int status, String body) {
        return new Reply(status, Map.of("content-type", "application/json"), body);
    }

    static Reply text(int status, String body) {
        return new Reply(status, Map.of("content-type", "text/plain; charset=utf-8"), body);
    }

    Reply with(String header, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(header, value);
        return new Reply(status, Map.copyOf(more), body);
    }
}
