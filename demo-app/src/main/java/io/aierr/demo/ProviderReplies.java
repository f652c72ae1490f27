package io.aierr.demo;

/**
 * Responses in each provider's wire format (OpenAI and Azure OpenAI error objects, Anthropic's
 * error envelope, the plain-text bodies of PAI-EAS and its Envoy gateway). Retry hints are kept
 * at 1 s or less so the whole demo runs in seconds.
 */
final class ProviderReplies {
    private ProviderReplies() {
    }

    // OpenAI pretty-prints its JSON; the others send it compact.

    static Reply openAiChat() {
        return Reply.json(200, """
                {
                  "id": "chatcmpl-demo7Hk2",
                  "object": "chat.completion",
                  "created": 1735689600,
                  "model": "gpt-4o-mini-2024-07-18",
                  "choices": [
                    {
                      "index": 0,
                      "message": {"role": "assistant", "content": "Hello! How can I help you today?"},
                      "finish_reason": "stop"
                    }
                  ],
                  "usage": {"prompt_tokens": 10, "completion_tokens": 9, "total_tokens": 19}
                }
                """);
    }

    static Reply openAiRateLimit() {
        return openAiError(429, "Rate limit reached for gpt-4o-mini in organization org-demo on requests per min "
                + "(RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.", "requests", "rate_limit_exceeded")
                .with("retry-after", "1")
                .with("x-ratelimit-limit-requests", "3")
                .with("x-ratelimit-remaining-requests", "0")
                .with("x-ratelimit-reset-requests", "1s");
    }

    static Reply openAiInsufficientQuota() {
        return openAiError(429, "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", "insufficient_quota");
    }

    static Reply openAiOverloaded() {
        return openAiError(503, "The engine is currently overloaded, please try again later.", "server_error", null)
                .with("retry-after-ms", "250");
    }

    static Reply openAiWrongKey() {
        return openAiError(401, "Incorrect API key provided: sk-demo-*******************wxyz. You can find your "
                        + "API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", "invalid_api_key");
    }

    static Reply openAiContextLengthExceeded() {
        return openAiError(400, "This model's maximum context length is 128000 tokens. However, your messages "
                + "resulted in 131072 tokens. Please reduce the length of the messages.", "invalid_request_error",
                "context_length_exceeded", "\"messages\"");
    }

    static Reply azureDeploymentNotFound() {
        return Reply.json(404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for "
                + "this resource does not exist. If you created the deployment within the last 5 minutes, please "
                + "wait a moment and try again.\"}}");
    }

    /** vLLM's OpenAI-compatible answer, as served behind PAI-EAS. */
    static Reply vllmChat() {
        return Reply.json(200, "{\"id\":\"chatcmpl-3f9c2a61d0e84b7a\",\"object\":\"chat.completion\","
                + "\"created\":1735689600,\"model\":\"Qwen2.5-7B-Instruct\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I assist you?\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":8,"
                + "\"total_tokens\":20}}");
    }

    /** PAI-EAS 450: the instance's request queue is full (worker_threads busy, max_queue_size reached). */
    static Reply paiEasQueueFull() {
        return Reply.text(450, "Request rejected: the queue of this instance is full");
    }

    /** PAI-EAS 408: one request took longer than the service's metadata.rpc.keepalive. */
    static Reply paiEasRequestTimeout() {
        return Reply.text(408, "Request Timeout");
    }

    /** The Envoy gateway in front of PAI-EAS when no instance is ready. */
    static Reply envoyNoHealthyUpstream() {
        return Reply.text(503, "no healthy upstream").with("server", "envoy");
    }

    /** The Envoy gateway when the instance did not answer within the route timeout. */
    static Reply envoyUpstreamTimeout() {
        return Reply.text(504, "upstream request timeout").with("server", "envoy");
    }

    static Reply anthropicMessage() {
        return Reply.json(200, "{\"id\":\"msg_01DemoXyZ7vK\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Hello! How can I help?\"}],"
                + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":11,\"output_tokens\":9}}")
                .with("request-id", "req_01DemoXyZ7vK");
    }

    static Reply anthropicOverloaded() {
        return Reply.json(529,
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")
                .with("request-id", "req_01DemoOvr529");
    }

    private static Reply openAiError(int status, String message, String type, String code) {
        return openAiError(status, message, type, code, "null");
    }

    /** {@code param} is raw JSON: {@code null} or a quoted name. */
    private static Reply openAiError(int status, String message, String type, String code, String param) {
        String codeJson = code == null ? "null" : "\"" + code + "\"";
        return Reply.json(status, """
                {
                    "error": {
                        "message": "%s",
                        "type": "%s",
                        "param": %s,
                        "code": %s
                    }
                }
                """.formatted(message, type, param, codeJson))
                .with("x-request-id", "req_demo" + status);
    }
}
