package io.aierr.core.usage;

import java.util.ArrayList;
import java.util.List;

/**
 * What a successful answer says about itself, for the GenAI span attributes and token metrics:
 * the tokens it used, the model and id the server answered with, and why each choice finished.
 * Any of them may be missing (null, or an empty list).
 */
public final class ResponseUsage {
    /** Choices are few; a server that sends more is not worth listing them all. */
    private static final int MAX_FINISH_REASONS = 16;

    public Long inputTokens;
    public Long outputTokens;
    public String model;
    public String id;
    private final List<String> finishReasons = new ArrayList<>();

    /** Whether the answer told anything at all. */
    public boolean isEmpty() {
        return inputTokens == null && outputTokens == null && model == null && id == null && finishReasons.isEmpty();
    }

    void finished(int choice, String reason) {
        if (choice >= MAX_FINISH_REASONS) {
            return;
        }
        while (finishReasons.size() <= choice) {
            finishReasons.add(null);
        }
        finishReasons.set(choice, reason);
    }

    /** The finish reasons, without the choices that did not say. */
    public List<String> knownFinishReasons() {
        List<String> known = new ArrayList<>();
        for (String r : finishReasons) {
            if (r != null) {
                known.add(r);
            }
        }
        return known;
    }
}
