package io.aierr.core.retry;

import io.aierr.core.limits.Refusal;

/** What {@link AiCall#admit()} says before the first attempt: wait this long and send, or answer without sending. */
public final class Admission {
    static final Admission NOW = new Admission(0, null);

    /** Milliseconds to wait before the first attempt, usually 0. */
    public final long waitMillis;
    /** Non-null when aierr does not send at all: the app gets {@link Refusal#answer}; the call has ended. */
    public final Refusal refusal;

    private Admission(long waitMillis, Refusal refusal) {
        this.waitMillis = waitMillis;
        this.refusal = refusal;
    }

    static Admission after(long waitMillis) {
        return waitMillis <= 0 ? NOW : new Admission(waitMillis, null);
    }

    static Admission refused(Refusal refusal) {
        return new Admission(0, refusal);
    }
}
