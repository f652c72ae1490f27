import java.util.Random;

/**
 * What the calls of the token benchmark's closed loop ask for, drawn once from a fixed seed in
 * call-slot order (thread by thread), so every row and every run sends the same requests from the
 * same slots whatever the timing.
 * <ul>
 * <li>{@code spread} (load A): max_tokens uniform over 100-1000, a short prompt;</li>
 * <li>{@code mixed} (load B): 90 % small calls (max_tokens 50-300, short prompt), 5 % huge
 *     completions (max_tokens 8,000), 5 % long prompts (16,000 chars, ~4,000 prompt tokens, with
 *     max_tokens 200): big calls that only fit a nearly full bucket, among small ones that could
 *     take their place.</li>
 * </ul>
 */
final class TokenAsks {
    static final int HUGE_MAX_TOKENS = 8_000;
    static final int LONG_PROMPT_CHARS = 16_000;

    private TokenAsks() {
    }

    static LoadShape.ClosedLoop.Asks of(String kind, int threads, int calls, long seed) {
        Random random = new Random(seed);
        ChatCaller.Ask[] asks = new ChatCaller.Ask[threads * calls];
        for (int slot = 0; slot < asks.length; slot++) {
            asks[slot] = switch (kind) {
                case "spread" -> new ChatCaller.Ask(100 + random.nextInt(901), question(slot));
                case "mixed" -> mixed(random, slot);
                default -> throw new IllegalArgumentException("unknown asks " + kind + " (spread, mixed)");
            };
        }
        return (thread, call) -> asks[thread * calls + call];
    }

    private static ChatCaller.Ask mixed(Random random, int slot) {
        double kind = random.nextDouble();
        int smallLimit = 50 + random.nextInt(251);
        if (kind < 0.05) {
            return new ChatCaller.Ask(HUGE_MAX_TOKENS, question(slot));
        }
        if (kind < 0.10) {
            return new ChatCaller.Ask(200, longPrompt(slot));
        }
        return new ChatCaller.Ask(smallLimit, question(slot));
    }

    private static String question(int slot) {
        return "question " + slot;
    }

    /** Plain words only: the callers put the prompt into JSON as is. */
    private static String longPrompt(int slot) {
        StringBuilder prompt = new StringBuilder("summarize document " + slot + ":");
        while (prompt.length() < LONG_PROMPT_CHARS) {
            prompt.append(" lorem ipsum dolor sit amet");
        }
        prompt.setLength(LONG_PROMPT_CHARS);
        return prompt.toString();
    }
}
