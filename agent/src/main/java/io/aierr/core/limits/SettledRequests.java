package io.aierr.core.limits;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The requests to one endpoint that aierr settled with a retryable error or a spent quota, for the
 * resend window: an app (or its framework) that sends the same request again soon after continues
 * that call, whose attempts are spent, so it is answered with a copy of the settled response
 * instead of sending. A success on the endpoint ends the window early: the outage is over.
 * Thread-safe; times are nanoseconds.
 */
public final class SettledRequests {
    /** Requests remembered per endpoint; a framework's resend comes within seconds, not thousands of calls. */
    private static final int CAPACITY = 256;

    private final long windowNanos;
    private final Map<Long, Entry> byFingerprint = new LinkedHashMap<>();
    /** Read without the lock on every call, so that an endpoint with nothing settled costs nothing. */
    private volatile boolean empty = true;

    private static final class Entry {
        final AnswerCopy answer;
        long until;

        Entry(AnswerCopy answer, long until) {
            this.answer = answer;
            this.until = until;
        }
    }

    /** @param windowMillis how long after its settled answer a resend continues a call; 0 turns it off */
    public SettledRequests(long windowMillis) {
        this.windowNanos = windowMillis * 1_000_000L;
    }

    public boolean isEmpty() {
        return empty;
    }

    /**
     * The settled answer this request repeats, or null. A match extends the window: the logical
     * call goes on as long as the app keeps resending it.
     */
    public synchronized AnswerCopy resendOf(long fingerprint, long now) {
        Entry e = byFingerprint.get(fingerprint);
        if (e == null) {
            return null;
        }
        if (now - e.until > 0) {
            byFingerprint.remove(fingerprint);
            empty = byFingerprint.isEmpty();
            return null;
        }
        e.until = now + windowNanos;
        return e.answer;
    }

    public synchronized void settled(long fingerprint, AnswerCopy answer, long now) {
        if (windowNanos <= 0) {
            return;
        }
        for (Iterator<Entry> it = byFingerprint.values().iterator(); it.hasNext(); ) {
            if (now - it.next().until > 0) {
                it.remove();
            }
        }
        if (byFingerprint.size() >= CAPACITY) {
            Iterator<Long> oldest = byFingerprint.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        byFingerprint.put(fingerprint, new Entry(answer, now + windowNanos));
        empty = false;
    }

    /** The endpoint answered a call successfully: resends deserve a fresh try. */
    public void succeeded() {
        if (!empty) {
            synchronized (this) {
                byFingerprint.clear();
                empty = true;
            }
        }
    }
}
