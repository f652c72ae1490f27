package io.aierr.coordination.redis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisUrlTest {
    @Test
    void readsUserPasswordDatabaseAndTls() {
        RedisUrl url = RedisUrl.parse("rediss://fleet:p%40ss+word@cache.internal:6380/3");
        assertTrue(url.tls);
        assertEquals("cache.internal", url.host);
        assertEquals(6380, url.port);
        assertEquals("fleet", url.user);
        assertEquals("p@ss+word", url.password);
        assertEquals(3, url.database);
        assertEquals("rediss://cache.internal:6380/3", url.toString(), "printed without credentials");
    }

    @Test
    void aPasswordAloneIsForTheDefaultUser() {
        RedisUrl url = RedisUrl.parse("redis://:secret@localhost");
        assertFalse(url.tls);
        assertNull(url.user);
        assertEquals("secret", url.password);
        assertEquals(6379, url.port);
        assertEquals(0, url.database);
    }
}
