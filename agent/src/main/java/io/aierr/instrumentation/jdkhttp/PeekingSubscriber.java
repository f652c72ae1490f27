package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.Delayed;
import io.aierr.core.retry.FirstEvent;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Holds the first bytes of a response body until enough came to decide on it (a prefix of up to a
 * limit, or a stream's first event, or the whole body when shorter; for a stream, at most a wait),
 * asks {@link Decider} what to do, then either drops the response (cancelling the rest of it) or hands
 * the held bytes, followed by whatever is still to come, to the app's subscriber, in order and at the
 * pace the app asks for them. A body that fails before the decision is decided on as it came, and the
 * app's subscriber gets the held bytes, then that same failure.
 *
 * <p>Signals come from the client's threads and, for a stream's wait, from the timer; all of them pass
 * one queue under one lock, and only the thread that claimed it calls the app's subscriber, never while
 * holding the lock.
 */
final class PeekingSubscriber<T> implements BodySubscriber<T> {
    /** Decides on a held prefix; returns the app's subscriber to deliver to, or null to drop. */
    interface Decider<T> {
        /**
         * @param truncated the body may go on beyond the prefix
         * @param broken    the body failed after the prefix: it is all that came
         */
        BodySubscriber<T> decide(byte[] prefix, boolean truncated, boolean broken);
    }

    /** Whether the bytes held so far, this buffer the last of them, are enough to decide. */
    private interface Enough {
        boolean after(ByteBuffer buffer);
    }

    private final int limit;
    private final Enough enough;
    private final Decider<T> decider;
    private final CompletableFuture<T> body = new CompletableFuture<>();
    private final Object lock = new Object();
    private final ArrayDeque<List<ByteBuffer>> queue = new ArrayDeque<>();
    private int heldBytes;
    private Flow.Subscription upstream;
    /** Items asked of upstream and not yet come. */
    private long upstreamOwed;
    /** How the body ended, once it did: {@link #COMPLETE} or its failure. */
    private Throwable ended;
    /** A thread decides, or did: the held bytes are no longer looked at. */
    private boolean deciding;
    /** The app's subscriber, once decided to deliver; until then, and when dropped, null. */
    private BodySubscriber<T> app;
    private long appDemand;
    private boolean emitting;
    private boolean finished;

    private static final Throwable COMPLETE = new Throwable("complete", null, false, false) {
    };

    private PeekingSubscriber(int limit, Enough enough, Decider<T> decider) {
        this.limit = limit;
        this.enough = enough;
        this.decider = decider;
    }

    /** Decides once {@code limit} bytes are held, or the body ended. */
    static <T> PeekingSubscriber<T> peeking(int limit, Decider<T> decider) {
        return new PeekingSubscriber<>(limit, buffer -> false, decider);
    }

    /**
     * Decides once the stream's first event came whole, {@link FirstEvent#HOLD_LIMIT} bytes came
     * without one, the body ended, or {@code waitMillis} passed: then with what came by then.
     */
    static <T> PeekingSubscriber<T> holdingFirstEvent(FirstEvent first, long waitMillis, Decider<T> decider) {
        PeekingSubscriber<T> holding = new PeekingSubscriber<>(FirstEvent.HOLD_LIMIT, first::accept, decider);
        Delayed.offThread(waitMillis, holding::waitOver);
        return holding;
    }

    @Override
    public CompletionStage<T> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        synchronized (lock) {
            upstream = subscription;
            upstreamOwed = 1;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        boolean decideNow = false;
        boolean askMore = false;
        synchronized (lock) {
            if (upstreamOwed != Long.MAX_VALUE) {
                upstreamOwed--;
            }
            if (finished) {
                return; // dropped, or the app cancelled
            }
            queue.add(items);
            if (!deciding) {
                boolean enoughHeld = false;
                for (ByteBuffer b : items) {
                    heldBytes += b.remaining();
                    enoughHeld |= enough.after(b);
                }
                decideNow = enoughHeld || heldBytes >= limit;
                deciding = decideNow;
                askMore = !decideNow;
                if (askMore) {
                    upstreamOwed++;
                }
            }
        }
        if (askMore) {
            upstream.request(1);
        } else if (decideNow) {
            decide(true, false);
        } else {
            drain();
        }
    }

    @Override
    public void onError(Throwable failure) {
        end(failure);
    }

    @Override
    public void onComplete() {
        end(COMPLETE);
    }

    private void end(Throwable how) {
        boolean decideNow;
        synchronized (lock) {
            ended = how;
            decideNow = !deciding;
            deciding = true;
        }
        if (decideNow) {
            decide(how != COMPLETE, how != COMPLETE);
        } else {
            drain();
        }
    }

    /** The stream's wait for its first event is over: it goes on with what came. */
    private void waitOver() {
        synchronized (lock) {
            if (deciding) {
                return;
            }
            deciding = true;
        }
        decide(true, false);
    }

    private void decide(boolean truncated, boolean broken) {
        byte[] prefix;
        Throwable how;
        synchronized (lock) {
            prefix = prefix();
            how = ended;
        }
        BodySubscriber<T> chosen;
        try {
            chosen = decider.decide(prefix, truncated, broken);
        } catch (RuntimeException | Error e) {
            drop(how);
            body.completeExceptionally(e);
            return;
        }
        if (chosen == null) {
            drop(how);
            body.complete(null);
            return;
        }
        chosen.getBody().whenComplete((value, appFailure) -> {
            if (appFailure != null) {
                body.completeExceptionally(appFailure);
            } else {
                body.complete(value);
            }
        });
        synchronized (lock) {
            app = chosen;
        }
        chosen.onSubscribe(new ToApp());
        drain();
    }

    private void drop(Throwable how) {
        synchronized (lock) {
            finished = true;
            queue.clear();
        }
        if (how == null) {
            upstream.cancel();
        }
    }

    /** Hands queued items to the app as it asks for them, then how the body ended; asks upstream for the rest. */
    private void drain() {
        synchronized (lock) {
            if (emitting || app == null || finished) {
                return;
            }
            emitting = true;
        }
        while (true) {
            List<ByteBuffer> next = null;
            Throwable end = null;
            long ask = 0;
            synchronized (lock) {
                if (finished) {
                    emitting = false;
                    return;
                }
                if (!queue.isEmpty() && appDemand > 0) {
                    next = queue.poll();
                    if (appDemand != Long.MAX_VALUE) {
                        appDemand--;
                    }
                } else if (queue.isEmpty() && ended != null && (ended == COMPLETE || appDemand > 0)) {
                    // as over the network, a failure comes to a subscriber that asks beyond the bytes that
                    // came: a lock-step reader (ofInputStream) reads them first
                    end = ended;
                    finished = true;
                } else {
                    if (queue.isEmpty() && ended == null && appDemand > upstreamOwed) {
                        ask = appDemand == Long.MAX_VALUE ? Long.MAX_VALUE : appDemand - upstreamOwed;
                        upstreamOwed = appDemand == Long.MAX_VALUE ? Long.MAX_VALUE : appDemand;
                    }
                    emitting = false;
                }
            }
            if (next != null) {
                app.onNext(next);
            } else if (end != null) {
                if (end == COMPLETE) {
                    app.onComplete();
                } else {
                    app.onError(end);
                }
                return;
            } else {
                if (ask > 0) {
                    upstream.request(ask);
                }
                return;
            }
        }
    }

    /** The first {@code limit} bytes held; call holding the lock. */
    private byte[] prefix() {
        byte[] bytes = new byte[Math.min(heldBytes, limit)];
        int at = 0;
        for (List<ByteBuffer> item : queue) {
            for (ByteBuffer b : item) {
                ByteBuffer view = b.duplicate();
                int n = Math.min(view.remaining(), bytes.length - at);
                view.get(bytes, at, n);
                at += n;
                if (at == bytes.length) {
                    return bytes;
                }
            }
        }
        return bytes;
    }

    /** The app's subscription: its demand drains the queue; its cancel drops the rest. */
    private final class ToApp implements Flow.Subscription {
        @Override
        public void request(long n) {
            if (n <= 0) {
                return;
            }
            synchronized (lock) {
                appDemand = appDemand + n < 0 ? Long.MAX_VALUE : appDemand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            boolean upstreamLive;
            synchronized (lock) {
                upstreamLive = !finished && ended == null;
                finished = true;
                queue.clear();
            }
            if (upstreamLive) {
                upstream.cancel();
            }
        }
    }
}
