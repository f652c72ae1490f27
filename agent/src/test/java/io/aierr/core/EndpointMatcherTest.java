package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class EndpointMatcherTest {
    private static String provider(EndpointMatcher m, String url) {
        return m.providerFor(URI.create(url));
    }

    @Test
    void knownProvidersAreMatchedByHost() {
        EndpointMatcher m = EndpointMatcher.create(List.of(), null);
        assertEquals("openai", provider(m, "https://api.openai.com/v1/chat/completions"));
        assertEquals("azure-openai", provider(m, "https://my-res.openai.azure.com/openai/deployments/x/chat/completions"));
        assertEquals("anthropic", provider(m, "https://api.anthropic.com/v1/messages"));
        assertEquals("gemini", provider(m, "https://generativelanguage.googleapis.com/v1beta/models/g:generateContent"));
        assertEquals("vertex-ai", provider(m, "https://us-central1-aiplatform.googleapis.com/v1/projects/p"));
        assertEquals("bedrock", provider(m, "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke"));
        assertEquals("pai-eas", provider(m, "http://123.cn-hangzhou.pai-eas.aliyuncs.com/api/predict/svc"));
        assertEquals("dashscope", provider(m, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"));
        assertNull(provider(m, "https://example.com/v1/chat/completions"));
        assertNull(provider(m, "https://api.openai.com.evil.example/v1"));
    }

    @Test
    void userEntriesAddHostsPortsAndProviderNames() {
        EndpointMatcher m = EndpointMatcher.create(List.of("localhost:8080=openai", "*.internal.example=vllm", "gpu-box"),
                null);
        assertEquals("openai", provider(m, "http://localhost:8080/v1/chat/completions"));
        assertNull(provider(m, "http://localhost:8081/v1/chat/completions"));
        assertEquals("vllm", provider(m, "http://llm.a.b.internal.example/v1/completions"));
        assertEquals("custom", provider(m, "http://gpu-box:9000/generate"));
    }

    @Test
    void theCollectorIsNeverAnAiEndpointEvenWhenListed() {
        EndpointMatcher m = EndpointMatcher.create(List.of("localhost=openai"), "http://localhost:4318");
        assertNull(provider(m, "http://localhost:4318/v1/traces"));
        assertNull(provider(m, "http://127.0.0.1:4318/v1/metrics"));
        assertNotNull(provider(m, "http://localhost:8000/v1/chat/completions"));
    }

    @Test
    void theCollectorWinsOverEveryKindOfUserEntry() {
        for (String entry : List.of("127.0.0.1:4318=openai", "localhost:4318", "127.0.0.1=openai", "*=vllm",
                "*.0.0.1=custom")) {
            EndpointMatcher m = EndpointMatcher.create(List.of(entry, "127.0.0.1:8080"), "http://127.0.0.1:4318/otlp/");
            assertNull(provider(m, "http://127.0.0.1:4318/otlp/v1/traces"), entry);
            assertNull(provider(m, "http://localhost:4318/otlp/v1/metrics"), entry);
            assertNotNull(provider(m, "http://127.0.0.1:8080/v1/chat/completions"), entry);
        }
        EndpointMatcher https = EndpointMatcher.create(List.of("otel.example=openai"), "https://otel.example");
        assertNull(provider(https, "https://otel.example/v1/traces"));
        assertEquals("openai", provider(https, "http://otel.example/v1/chat/completions"));
    }

    @Test
    void badEntriesAreRejectedWithAReason() {
        assertNotNull(EndpointMatcher.validate("host:abc"));
        assertNotNull(EndpointMatcher.validate("host=Bad Name"));
        assertNotNull(EndpointMatcher.validate("=openai"));
        assertNull(EndpointMatcher.validate("[::1]:8080=vllm"));
    }
}
