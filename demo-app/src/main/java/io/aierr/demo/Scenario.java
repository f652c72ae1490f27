package io.aierr.demo;

import java.util.List;
import java.util.Locale;

/**
 * The errors the simulated endpoint plays, in the order the demo runs them, one app call each.
 * Each scenario answers its n-th request with its n-th reply; the last reply repeats.
 */
enum Scenario {
    RATE_LIMITED("429 retry-after 1s, then 200", ChatApi.OPENAI,
            ProviderReplies.openAiRateLimit(), ProviderReplies.openAiChat()),
    INSUFFICIENT_QUOTA("429 insufficient_quota", ChatApi.OPENAI,
            ProviderReplies.openAiInsufficientQuota()),
    QUEUE_FULL("450 PAI-EAS queue full, then 200", ChatApi.PAI_EAS,
            ProviderReplies.paiEasQueueFull(), ProviderReplies.vllmChat()),
    NO_HEALTHY_UPSTREAM("503 no healthy upstream, then 200", ChatApi.PAI_EAS,
            ProviderReplies.envoyNoHealthyUpstream(), ProviderReplies.vllmChat()),
    OVERLOADED_EVERY_TIME("503 overloaded, every time", ChatApi.OPENAI,
            ProviderReplies.openAiOverloaded()),
    WRONG_KEY("401 wrong API key", ChatApi.OPENAI,
            ProviderReplies.openAiWrongKey()),
    WRONG_DEPLOYMENT("404 Azure wrong deployment", ChatApi.AZURE_OPENAI,
            ProviderReplies.azureDeploymentNotFound()),
    CONTEXT_TOO_LONG("400 context_length_exceeded", ChatApi.OPENAI,
            ProviderReplies.openAiContextLengthExceeded()),
    REQUEST_TIMEOUT("408 request timeout", ChatApi.PAI_EAS,
            ProviderReplies.paiEasRequestTimeout()),
    GATEWAY_TIMEOUT("504 gateway timeout", ChatApi.PAI_EAS,
            ProviderReplies.envoyUpstreamTimeout()),
    ANTHROPIC_OVERLOADED("529 Anthropic overloaded, then 200", ChatApi.ANTHROPIC,
            ProviderReplies.anthropicOverloaded(), ProviderReplies.anthropicMessage());

    /** What the demo prints for this scenario. */
    final String label;
    final ChatApi api;
    /** First path segment of the scenario's base URL, e.g. {@code rate-limited}. */
    final String pathSegment = name().toLowerCase(Locale.ROOT).replace('_', '-');
    private final List<Reply> replies;

    Scenario(String label, ChatApi api, Reply... replies) {
        this.label = label;
        this.api = api;
        this.replies = List.of(replies);
    }

    /** The reply to this scenario's {@code hit}-th request (1-based). */
    Reply reply(int hit) {
        return replies.get(Math.min(hit, replies.size()) - 1);
    }

    static Scenario byPathSegment(String segment) {
        for (Scenario s : values()) {
            if (s.pathSegment.equals(segment)) {
                return s;
            }
        }
        return null;
    }
}
