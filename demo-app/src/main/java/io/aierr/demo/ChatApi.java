package io.aierr.demo;

import java.util.Map;

/**
 * The chat APIs the app calls, each the way its usual client sends it: path, auth headers and a
 * JSON body naming the model. Part of the app; knows nothing of aierr. The keys are fake.
 */
enum ChatApi {
    OPENAI("/v1/chat/completions",
            Map.of("authorization", "Bearer sk-demo-not-a-real-key-0000wxyz"),
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    AZURE_OPENAI("/openai/deployments/gpt4o-mini/chat/completions?api-version=2024-10-21",
            Map.of("api-key", "00000000demo0000not0000a0000real"),
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    PAI_EAS("/api/predict/qwen_chat/v1/chat/completions",
            Map.of("authorization", "ZGVtby1lYXMtdG9rZW4tbm90LXJlYWw="),
            "{\"model\":\"Qwen2.5-7B-Instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    ANTHROPIC("/v1/messages",
            Map.of("x-api-key", "sk-ant-demo-not-a-real-key", "anthropic-version", "2023-06-01"),
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}");

    final String path;
    final Map<String, String> headers;
    final String body;

    ChatApi(String path, Map<String, String> headers, String body) {
        this.path = path;
        this.headers = headers;
        this.body = body;
    }
}
