import java.util.Map;

/**
 * The retry loop many apps write by hand: on 429 or 5xx wait 0.5 s * 2^n (no jitter, no look at
 * the server's hints) and try again, at most 5 attempts in all.
 */
final class NaiveBackoffChatCaller implements ChatCaller {
    private static final int MAX_ATTEMPTS = 5;
    private static final long FIRST_WAIT_MILLIS = 500;

    private final ChatCaller once;

    NaiveBackoffChatCaller(ChatCaller once) {
        this.once = once;
    }

    @Override
    public void warmUp() throws Exception {
        once.warmUp();
    }

    @Override
    public String chat(Map<String, String> benchHeaders, Ask ask) throws Exception {
        for (int attempt = 1; ; attempt++) {
            String outcome = once.chat(benchHeaders, ask);
            boolean retryable = outcome.equals("429") || outcome.startsWith("5");
            if (!retryable || attempt == MAX_ATTEMPTS) {
                return outcome;
            }
            Thread.sleep(FIRST_WAIT_MILLIS << (attempt - 1));
        }
    }
}
