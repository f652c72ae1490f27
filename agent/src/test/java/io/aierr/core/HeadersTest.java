package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class HeadersTest {
    @Test
    void pairsAndMapsGiveTheSameHeaders() {
        String[][] pairs = {{"Retry-After", "3"}, {"x-ratelimit-remaining-requests", "0"}, {"Set-Cookie", "a=1"},
            {"set-cookie", "b=2"}, {null, "status line"}, {"X-Empty", null}};
        Headers fromPairs = Headers.ofPairs(pairs.length, i -> pairs[i][0], i -> pairs[i][1]);
        Headers fromMap = Headers.of(Map.of("Retry-After", List.of("3"), "X-RateLimit-Remaining-Requests", List.of("0"),
                "Set-Cookie", List.of("a=1", "b=2")));
        for (String name : new String[] {"retry-after", "RETRY-AFTER", "x-ratelimit-remaining-requests", "set-cookie"}) {
            assertEquals(fromMap.all(name), fromPairs.all(name), name);
        }
        assertEquals(List.of("a=1", "b=2"), fromPairs.all("Set-Cookie"), "a repeated name keeps every value, in order");
        assertNull(fromPairs.first("x-empty"), "a pair without a value is left out");
        assertSame(Headers.EMPTY, Headers.ofPairs(0, i -> "never", i -> "read"));
    }
}
