import java.util.Map;

/**
 * How a benchmark app makes one chat completion call; each implementation is one row's app-side
 * retry behaviour. A call answers with what the app finally saw: {@code "200"}, another status, or
 * the simple name of the exception it threw.
 */
interface ChatCaller {
    /**
     * What one call asks for: the user message, and the completion's token limit (0: none sent). The
     * plain app sends it as {@code max_tokens}, the OpenAI SDK as {@code max_completion_tokens}.
     */
    record Ask(int maxTokens, String prompt) {
        /** The rate-limit benchmark's call: "hi", no token limit. */
        static final Ask HI = new Ask(0, "hi");
    }

    /** A call outside the rate limit (GET /v1/models) that opens a connection and warms the code path. */
    void warmUp() throws Exception;

    /** One chat completion, sent with {@code benchHeaders} (the server logs them; retries resend them). */
    String chat(Map<String, String> benchHeaders, Ask ask) throws Exception;

    static ChatCaller of(String kind, String baseUrl) {
        switch (kind) {
            case "plain":
                return new PlainChatCaller(baseUrl);
            case "naive":
                return new NaiveBackoffChatCaller(new PlainChatCaller(baseUrl));
            case "sdk":
                return new OpenAiSdkChatCaller(baseUrl);
            default:
                throw new IllegalArgumentException("unknown client " + kind + " (plain, naive, sdk)");
        }
    }
}
