package io.aierr.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentArgumentsTest {
    @Test
    void aCommaStartsAPairOnlyWhenAPropertyNameFollows() {
        AgentArguments a = AgentArguments.parse("aierr.endpoints=a:8000=openai, *.b.example=vllm,"
                + "aierr.exporter=console,otel.resource.attributes=team=ml,env=prod");
        assertEquals(Map.of("aierr.endpoints", "a:8000=openai, *.b.example=vllm", "aierr.exporter", "console",
                "otel.resource.attributes", "team=ml,env=prod"), a.values);
        assertTrue(a.warnings.isEmpty(), a.warnings.toString());
    }

    @Test
    void withASemicolonEveryCommaBelongsToAValue() {
        AgentArguments a = AgentArguments.parse("aierr.endpoints=otel.example:4000=vllm,aierr.internal=openai;"
                + " aierr.exporter=console;");
        assertEquals(Map.of("aierr.endpoints", "otel.example:4000=vllm,aierr.internal=openai",
                "aierr.exporter", "console"), a.values);
        assertTrue(a.warnings.isEmpty(), a.warnings.toString());
    }

    @Test
    void aBadPartIsOneWarningThatNeverEchoesAValue() {
        AgentArguments a = AgentArguments.parse("console;AIERR_SUMMARY=s3cret;aierr.retry.max-attempts=3");
        assertEquals(Map.of("aierr.retry.max-attempts", "3"), a.values);
        assertEquals(2, a.warnings.size(), a.warnings.toString());
        assertTrue(a.warnings.get(0).startsWith("aierr: ignoring agent argument 'console'"), a.warnings.get(0));
        assertFalse(String.join("\n", a.warnings).contains("s3cret"), a.warnings.toString());
    }

    @Test
    void noArgumentsIsNoSettingsAndNoWarning() {
        assertEquals(AgentArguments.NONE, AgentArguments.parse(null));
        assertEquals(AgentArguments.NONE, AgentArguments.parse("  "));
    }

    @Test
    void joinedSettingsParseBackWithTheirCommas() {
        Map<String, String> settings = Map.of("aierr.endpoints", "a=openai,b=vllm");
        assertEquals(settings, AgentArguments.parse(AgentArguments.join(settings)).values);
    }

    @Test
    void aSystemPropertyWinsOverAnAgentArgumentAndAnUnknownNameIsWarned() {
        String name = "aierr.retry.max-attempts";
        AgentArguments a = AgentArguments.parse(name + "=3,aierr.retry.max-atempts=4,aierr.exporter=console");
        System.setProperty(name, "7");
        try {
            AierrConfig c = AierrConfig.load(a);
            assertEquals(7, c.maxAttempts);
            assertEquals(java.util.Set.of("console"), c.exporters);
            assertEquals("3", a.values.get(name));
            assertEquals(List.of("aierr: ignoring agent argument 'aierr.retry.max-atempts': aierr has no such property"),
                    c.warnings);
            assertEquals("7", c.otel(name));
        } finally {
            System.clearProperty(name);
        }
        assertEquals(3, AierrConfig.load(a).maxAttempts);
    }

    @Test
    void otelArgumentsReachTheSdkUnlessASystemPropertySetsThem() {
        AgentArguments a = AgentArguments.parse("otel.service.name=from-argument,otel.bsp.schedule.delay=100");
        System.setProperty("otel.bsp.schedule.delay", "200");
        try {
            AierrConfig c = AierrConfig.load(a);
            assertEquals(java.util.Map.of("otel.service.name", "from-argument"), c.otelArguments);
            assertEquals("200", c.otel("otel.bsp.schedule.delay"));
            assertEquals(List.of(), c.warnings, "otel.* names are the SDK's to judge");
        } finally {
            System.clearProperty("otel.bsp.schedule.delay");
        }
    }
}
