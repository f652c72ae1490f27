package io.aierr.coordination;

import io.aierr.core.limits.Fleet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinationTest {
    @Test
    void localIsTheDefaultAndSharesNothing() {
        List<String> warnings = new ArrayList<>();
        assertSame(Fleet.ALONE, Coordination.fleet(null, 50, warnings::add));
        assertSame(Fleet.ALONE, Coordination.fleet("LOCAL", 50, warnings::add));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aMalformedSettingWarnsOnceWithoutItsPasswordAndStaysLocal() {
        for (String bad : List.of("http://user:s3cret@host:6379", "redis://user:s3cret@host:port", "redis://:s3cret@/0",
                "redis://:s3cret@host:6379/zero")) {
            List<String> warnings = new ArrayList<>();
            assertSame(Fleet.ALONE, Coordination.fleet(bad, 50, warnings::add), bad);
            assertEquals(1, warnings.size(), warnings.toString());
            assertFalse(warnings.get(0).contains("s3cret"), warnings.get(0));
            assertTrue(warnings.get(0).contains("using local"), warnings.get(0));
        }
    }

    @Test
    void redactedHidesOnlyThePassword() {
        assertEquals("redis://user:****@host:6379/2", Coordination.redacted("redis://user:pw@host:6379/2"));
        assertEquals("rediss://:****@host:6380", Coordination.redacted("rediss://:pw@host:6380"));
        assertEquals("redis://host:6379", Coordination.redacted("redis://host:6379"));
    }
}
