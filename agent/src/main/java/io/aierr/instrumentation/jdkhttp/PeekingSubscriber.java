package io.aierr.instrumentation.jdkhttp;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Holds the first bytes of a response body (up to a limit, or the whole body when shorter), asks
 * {@link Decider} what to do, then either drops the response (cancelling the rest of it) or hands
 * the held bytes, followed by whatever is still to come, to the app's subscriber. A body that fails
 * before the decision is decided on as it came, and the app's subscriber gets the held bytes, then
 * that same failure.
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

    private final int limit;
    private final Decider<T> decider;
    private final CompletableFuture<T> body = new CompletableFuture<>();
    private final List<ByteBuffer> held = new ArrayList<>();
    private int heldBytes;
    private Flow.Subscription upstream;
    /** Set once delivering; from then on upstream signals pass straight through. */
    private volatile BodySubscriber<T> downstream;

    PeekingSubscriber(int limit, Decider<T> decider) {
        this.limit = limit;
        this.decider = decider;
    }

    @Override
    public CompletionStage<T> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        upstream = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        BodySubscriber<T> app = downstream;
        if (app != null) {
            app.onNext(items);
            return;
        }
        for (ByteBuffer b : items) {
            held.add(b);
            heldBytes += b.remaining();
        }
        if (heldBytes >= limit) {
            decide(false, null);
        } else {
            upstream.request(1);
        }
    }

    @Override
    public void onError(Throwable failure) {
        BodySubscriber<T> app = downstream;
        if (app != null) {
            app.onError(failure);
        } else {
            decide(false, failure);
        }
    }

    @Override
    public void onComplete() {
        BodySubscriber<T> app = downstream;
        if (app != null) {
            app.onComplete();
        } else {
            decide(true, null);
        }
    }

    /**
     * @param complete the body ended normally with what is held
     * @param failure  what ended the body early, or null
     */
    private void decide(boolean complete, Throwable failure) {
        BodySubscriber<T> app;
        try {
            app = decider.decide(prefix(), !complete, failure != null);
        } catch (RuntimeException | Error e) {
            upstream.cancel();
            body.completeExceptionally(e);
            return;
        }
        boolean ended = complete || failure != null;
        if (app == null) {
            if (!ended) {
                upstream.cancel();
            }
            body.complete(null);
            return;
        }
        downstream = app;
        app.getBody().whenComplete((value, appFailure) -> {
            if (appFailure != null) {
                body.completeExceptionally(appFailure);
            } else {
                body.complete(value);
            }
        });
        app.onSubscribe(new Replay(app, ended, failure));
    }

    private byte[] prefix() {
        byte[] bytes = new byte[Math.min(heldBytes, limit)];
        int at = 0;
        for (ByteBuffer b : held) {
            ByteBuffer view = b.duplicate();
            int n = Math.min(view.remaining(), bytes.length - at);
            view.get(bytes, at, n);
            at += n;
            if (at == bytes.length) {
                break;
            }
        }
        return bytes;
    }

    /**
     * Emits the held buffers as one item, then completes, fails as upstream failed, or hands demand
     * on to upstream. Demand signalled from inside the app's onNext is queued, so signals never nest.
     */
    private final class Replay implements Flow.Subscription {
        private final BodySubscriber<T> app;
        private final boolean upstreamEnded;
        /** How upstream ended, when it ended with an error. */
        private final Throwable upstreamFailure;
        private long pending;
        private boolean emitting;
        private boolean replayed;
        private boolean done;

        Replay(BodySubscriber<T> app, boolean upstreamEnded, Throwable upstreamFailure) {
            this.app = app;
            this.upstreamEnded = upstreamEnded;
            this.upstreamFailure = upstreamFailure;
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (done || n <= 0) {
                    return;
                }
                pending = pending + n < 0 ? Long.MAX_VALUE : pending + n;
                if (emitting) {
                    return;
                }
                emitting = true;
            }
            while (true) {
                long demand;
                synchronized (this) {
                    demand = pending;
                    pending = 0;
                    if (demand == 0 || done) {
                        emitting = false;
                        return;
                    }
                }
                if (!replayed) {
                    replayed = true;
                    demand = demand == Long.MAX_VALUE ? demand : demand - 1;
                    List<ByteBuffer> prefix = new ArrayList<>(held);
                    held.clear();
                    app.onNext(prefix);
                    if (upstreamFailure != null && demand == 0) {
                        // as over the network, the failure comes to a subscriber that asks beyond the
                        // bytes that came: a lock-step reader (ofInputStream) reads them first
                        continue;
                    }
                }
                if (upstreamEnded) {
                    synchronized (this) {
                        done = true;
                    }
                    if (upstreamFailure != null) {
                        app.onError(upstreamFailure);
                    } else {
                        app.onComplete();
                    }
                    return;
                }
                if (demand > 0) {
                    upstream.request(demand);
                }
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                done = true;
            }
            if (!upstreamEnded) {
                upstream.cancel();
            }
        }
    }
}
