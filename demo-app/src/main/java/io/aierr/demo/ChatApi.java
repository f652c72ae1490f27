package io.aierr.demo;

import java.util.Map;

/**
 * The chat APIs the app calls, each the way its usual client sends it: path, auth headers and a
 * JSON body naming the model. Part of the app; knows nothing of aierr. The keys are fake. Each
 * provider is simulated on its own port (the demo's port plus {@link #ordinal()}), as each real one
 * has its own host, so that aierr can be told which provider each is.
 */
enum ChatApi {
    OPENAI("openai", "/v1/chat/completions",
            Map.of("authorization", "Bearer sk-demo-not-a-real-key-0000wxyz"),
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    AZURE_OPENAI("azure-openai", "/openai/deployments/gpt4o-mini/chat/completions?api-version=2024-10-21",
            Map.of("api-key", "00000000demo0000not0000a0000real"),
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    PAI_EAS("pai-eas", "/api/predict/qwen_chat/v1/chat/completions",
            Map.of("authorization", "ZGVtby1lYXMtdG9rZW4tbm90LXJlYWw="),
            "{\"model\":\"Qwen2.5-7B-Instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}"),
    ANTHROPIC("anthropic", "/v1/messages",
            Map.of("x-api-key", "sk-ant-demo-not-a-real-key", "anthropic-version", "2023-06-01"),
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}");

    /** aierr's provider id, as {@code aierr.endpoints} names it. */
    final String provider;
    final String path;
    final Map<String, String> headers;
    final String body;

    ChatApi(String provider, String path, Map<String, String> headers, String body) {
        this.provider = provider;
        this.path = path;
        this.headers = headers;
        this.body = body;
    }

    /** The port this provider is simulated on, given the demo's port. */
    int port(int demoPort) {
        return demoPort + ordinal();
    }

    /** {@link #endpoints} with the demo's port as {@code N}: {@code 127.0.0.1:N=openai,127.0.0.1:N+1=azure-openai,...}. */
    static String endpointsOnPortN(String host) {
        StringBuilder out = new StringBuilder();
        for (ChatApi api : values()) {
            out.append(out.length() == 0 ? "" : ",").append(host).append(":N")
                    .append(api.ordinal() == 0 ? "" : "+" + api.ordinal()).append('=').append(api.provider);
        }
        return out.toString();
    }

    /** What tells aierr the providers: {@code 127.0.0.1:18080=openai,127.0.0.1:18081=azure-openai,...}. */
    static String endpoints(String host, int demoPort) {
        StringBuilder out = new StringBuilder();
        for (ChatApi api : values()) {
            out.append(out.length() == 0 ? "" : ",").append(host).append(':').append(api.port(demoPort)).append('=')
                    .append(api.provider);
        }
        return out.toString();
    }
}
