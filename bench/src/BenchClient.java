import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP client family as an app uses it to call a chat endpoint, for the sporadic-error and
 * async-pacing benchmarks ({@link BenchClients} makes them). Every call reads the whole answer.
 */
interface BenchClient {
    /** What the app saw of one call's answer. */
    record Answer(int status, String refused, boolean quota) {
        /** {@code 200}, {@code 429}, {@code 429 quota} (OpenAI's insufficient_quota), {@code 450} ... */
        String outcome() {
            return quota ? status + " quota" : Integer.toString(status);
        }
    }

    /** A call outside any limit or mix (GET /v1/models) that opens a connection and warms the code path. */
    CompletableFuture<Void> warmUp();

    /**
     * One chat completion with {@code body} and {@code headers}. A sync family answers before it
     * returns; an async one returns the client's own pending answer.
     */
    CompletableFuture<Answer> chat(String body, Map<String, String> headers);

    /** Whether {@link #chat} returns before the answer: then a load runs as chains, not threads. */
    boolean async();
}
