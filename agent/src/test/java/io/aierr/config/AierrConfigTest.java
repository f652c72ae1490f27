package io.aierr.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AierrConfigTest {
    @Test
    void defaultsMatchTheDocumentedContract() {
        AierrConfig c = AierrConfig.from(name -> null);
        assertTrue(c.enabled);
        assertTrue(c.retryEnabled);
        assertEquals(Set.of(429, 450, 503, 529), c.retryStatuses);
        assertEquals(5, c.maxAttempts);
        assertEquals(500, c.initialBackoffMillis);
        assertEquals(30_000, c.maxBackoffMillis);
        assertEquals(60_000, c.maxWaitMillis);
        assertEquals(Set.of("otlp"), c.exporters);
        assertTrue(c.summary);
        assertEquals(List.of("http://localhost:4318"), c.collectorEndpoints);
        assertEquals(1 << 20, c.replayLimitBytes);
        assertEquals(2_000, c.firstEventWaitMillis);
        assertEquals("local", c.coordination);
        assertEquals(50, c.coordinationDeadlineMillis);
        assertTrue(c.warnings.isEmpty());
    }

    @Test
    void theFirstEventWaitIsADurationAndZeroTurnsTheHoldOff() {
        assertEquals(300, AierrConfig.from(Map.of("aierr.stream.first-event-wait", "300ms")::get).firstEventWaitMillis);
        assertEquals(0, AierrConfig.from(Map.of("aierr.stream.first-event-wait", "0")::get).firstEventWaitMillis);
        AierrConfig bad = AierrConfig.from(Map.of("aierr.stream.first-event-wait", "soon")::get);
        assertEquals(2_000, bad.firstEventWaitMillis);
        assertEquals(1, bad.warnings.size(), String.join("\n", bad.warnings));
        assertEquals("AIERR_STREAM_FIRST_EVENT_WAIT", AierrConfig.envName("aierr.stream.first-event-wait"));
    }

    @Test
    void exporterTakesAListAndNone() {
        assertEquals(List.of("otlp", "console"),
                List.copyOf(AierrConfig.from(Map.of("aierr.exporter", "otlp, console")::get).exporters));
        assertTrue(AierrConfig.from(Map.of("aierr.exporter", "none")::get).exporters.isEmpty());
        assertFalse(AierrConfig.from(Map.of("aierr.exporter", "none")::get).exportsOtlp());
    }

    @Test
    void everyCollectorEndpointIsAierrsOwnTraffic() {
        AierrConfig c = AierrConfig.from(Map.of("otel.exporter.otlp.endpoint", "http://collector:4317",
                "otel.exporter.otlp.metrics.endpoint", "http://metrics:9090/v1/metrics")::get);
        assertEquals(List.of("http://collector:4317", "http://metrics:9090/v1/metrics", "http://collector:4318"),
                c.collectorEndpoints);
        // standard settings are the SDK's to validate
        assertTrue(c.warnings.isEmpty());
    }

    @Test
    void durationsAcceptUnitsAndPlainMilliseconds() {
        assertEquals(250, AierrConfig.parseDuration("250ms"));
        assertEquals(2000, AierrConfig.parseDuration("2s"));
        assertEquals(60_000, AierrConfig.parseDuration("1m"));
        assertEquals(1500, AierrConfig.parseDuration(" 1500 "));
        for (String bad : List.of("", "-1s", "1.5s", "abc", "10 parsecs", "99999999999999999999")) {
            assertThrows(IllegalArgumentException.class, () -> AierrConfig.parseDuration(bad), bad);
        }
    }

    @Test
    void badValuesWarnOnceEachAndFallBackToDefaults() {
        Map<String, String> props = Map.of(
                "aierr.retry.max-attempts", "0",
                "aierr.retry.max-wait", "forever",
                "aierr.retry.statuses", "429,700",
                "aierr.exporter", "zipkin",
                "aierr.enabled", "yes",
                "aierr.endpoints", "api.example.com:99999, ok.example=vllm");
        AierrConfig c = AierrConfig.from(props::get);
        assertEquals(5, c.maxAttempts);
        assertEquals(60_000, c.maxWaitMillis);
        assertEquals(Set.of(429, 450, 503, 529), c.retryStatuses);
        assertEquals(Set.of("otlp"), c.exporters);
        assertTrue(c.enabled);
        assertEquals(List.of("ok.example=vllm"), c.endpoints);
        assertEquals(6, c.warnings.size(), String.join("\n", c.warnings));
        for (String w : c.warnings) {
            assertTrue(w.startsWith("aierr: ignoring "), w);
            assertFalse(w.contains("\n"), w);
        }
    }

    @Test
    void sharedLimitsHaveSaneDefaultsAndReadTheirShapes() {
        AierrConfig defaults = AierrConfig.from(name -> null);
        assertTrue(defaults.gate);
        assertTrue(defaults.adaptiveRate);
        assertEquals(0.2, defaults.retryBudget, 1e-9);
        assertEquals(10, defaults.breakerFailures);
        assertEquals(5_000, defaults.breakerOpenMillis);
        assertEquals(0.35, AierrConfig.from(Map.of("aierr.retry.budget", "35%")::get).retryBudget, 1e-9);
        assertEquals(0.5, AierrConfig.from(Map.of("aierr.retry.budget", "0.5")::get).retryBudget, 1e-9);
        assertTrue(AierrConfig.from(Map.of("aierr.retry.budget", "off")::get).retryBudget < 0);
        assertEquals(0.2, AierrConfig.from(Map.of("aierr.retry.budget", "20%")::get).retryBudget, 1e-9);
        AierrConfig bare = AierrConfig.from(Map.of("aierr.retry.budget", "20")::get);
        assertEquals(0.2, bare.retryBudget, 1e-9);
        assertEquals(1, bare.warnings.size());
        assertTrue(bare.warnings.get(0).contains("aierr.retry.budget"), bare.warnings.get(0));
        AierrConfig bad = AierrConfig.from(Map.of("aierr.retry.budget", "lots", "aierr.breaker.failures", "-3")::get);
        assertEquals(0.2, bad.retryBudget, 1e-9);
        assertEquals(10, bad.breakerFailures);
        assertEquals(2, bad.warnings.size(), bad.warnings.toString());
        assertEquals(0, AierrConfig.from(Map.of("aierr.breaker.enabled", "false")::get).breakerFailures);
    }

    @Test
    void theReplayLimitReadsSizesAndZeroTurnsItOff() {
        assertEquals(1 << 20, AierrConfig.from(name -> null).replayLimitBytes);
        assertEquals(1 << 20, AierrConfig.from(Map.of("aierr.retry.replay-limit", "1MiB")::get).replayLimitBytes);
        assertEquals(512 * 1024, AierrConfig.from(Map.of("aierr.retry.replay-limit", "512KiB")::get).replayLimitBytes);
        assertEquals(1048576, AierrConfig.from(Map.of("aierr.retry.replay-limit", "1048576")::get).replayLimitBytes);
        assertEquals(2L << 20, AierrConfig.from(Map.of("aierr.retry.replay-limit", " 2 mib ")::get).replayLimitBytes);
        assertEquals(0, AierrConfig.from(Map.of("aierr.retry.replay-limit", "0")::get).replayLimitBytes);
        assertEquals(0, AierrConfig.from(Map.of("aierr.retry.replay-limit", "off")::get).replayLimitBytes);
        for (String bad : List.of("1.5MiB", "-1", "1MB", "lots", "2GiB", "999999999999GiB")) {
            AierrConfig c = AierrConfig.from(Map.of("aierr.retry.replay-limit", bad)::get);
            assertEquals(1 << 20, c.replayLimitBytes, bad);
            assertEquals(1, c.warnings.size(), bad);
            assertTrue(c.warnings.get(0).startsWith("aierr: ignoring aierr.retry.replay-limit='" + bad.trim() + "'"),
                    c.warnings.get(0));
            assertTrue(c.warnings.get(0).endsWith("using 1MiB"), c.warnings.get(0));
        }
    }

    @Test
    void environmentNamesFollowTheProperty() {
        assertEquals("AIERR_RETRY_REPLAY_LIMIT", AierrConfig.envName("aierr.retry.replay-limit"));
        assertEquals("AIERR_RETRY_MAX_ATTEMPTS", AierrConfig.envName("aierr.retry.max-attempts"));
        assertEquals("OTEL_EXPORTER_OTLP_ENDPOINT", AierrConfig.envName("otel.exporter.otlp.endpoint"));
    }
}
