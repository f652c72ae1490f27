package io.aierr.core;

import java.util.LinkedHashMap;
import java.util.Map;

/** The AI providers aierr knows by host, and their OpenTelemetry GenAI names. */
public final class Providers {
    private Providers() {
    }

    /** Host glob (see {@link EndpointMatcher}) to provider id, in match order. */
    static final Map<String, String> KNOWN_HOSTS = new LinkedHashMap<>();

    static {
        KNOWN_HOSTS.put("api.openai.com", "openai");
        KNOWN_HOSTS.put("*.openai.azure.com", "azure-openai");
        KNOWN_HOSTS.put("*.cognitiveservices.azure.com", "azure-openai");
        KNOWN_HOSTS.put("*.services.ai.azure.com", "azure-openai");
        KNOWN_HOSTS.put("api.anthropic.com", "anthropic");
        KNOWN_HOSTS.put("generativelanguage.googleapis.com", "gemini");
        KNOWN_HOSTS.put("*aiplatform.googleapis.com", "vertex-ai");
        KNOWN_HOSTS.put("bedrock-runtime.*.amazonaws.com", "bedrock");
        KNOWN_HOSTS.put("*.pai-eas.aliyuncs.com", "pai-eas");
        KNOWN_HOSTS.put("dashscope*.aliyuncs.com", "dashscope");
        KNOWN_HOSTS.put("api.mistral.ai", "mistral");
        KNOWN_HOSTS.put("api.groq.com", "groq");
        KNOWN_HOSTS.put("api.deepseek.com", "deepseek");
        KNOWN_HOSTS.put("openrouter.ai", "openrouter");
        KNOWN_HOSTS.put("api.together.xyz", "together");
        KNOWN_HOSTS.put("api.fireworks.ai", "fireworks");
        KNOWN_HOSTS.put("api.cohere.com", "cohere");
        KNOWN_HOSTS.put("api.cohere.ai", "cohere");
        KNOWN_HOSTS.put("api.x.ai", "xai");
        KNOWN_HOSTS.put("api.perplexity.ai", "perplexity");
    }

    /** How many hosts (or host patterns) aierr knows as AI endpoints without configuration. */
    public static int knownHostCount() {
        return KNOWN_HOSTS.size();
    }

    /** Value for {@code gen_ai.provider.name}: the semconv name where one exists, else aierr's id. */
    public static String genAiName(String provider) {
        if (provider == null) {
            return "unknown";
        }
        switch (provider) {
            case "azure-openai": return "azure.ai.openai";
            case "gemini": return "gcp.gemini";
            case "vertex-ai": return "gcp.vertex_ai";
            case "bedrock": return "aws.bedrock";
            case "mistral": return "mistral_ai";
            case "xai": return "x_ai";
            default: return provider;
        }
    }
}
