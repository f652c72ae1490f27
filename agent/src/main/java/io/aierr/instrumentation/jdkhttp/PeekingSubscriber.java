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
 * the held bytes, followed by whatever is still to come, to the app's subscriber.
 */
final class PeekingSubscriber<T> implements BodySubscriber<T> {
    /** Decides on a held prefix; returns the app's subscriber to deliver to, or null to drop. */
    interface Decider<T> {
        BodySubscriber<T> decide(byte[] prefix, boolean truncated);
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
            decide(false);
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
            body.completeExceptionally(failure);
        }
    }

    @Override
    public void onComplete() {
        BodySubscriber<T> app = downstream;
        if (app != null) {
            app.onComplete();
        } else {
            decide(true);
        }
    }

    private void decide(boolean complete) {
        BodySubscriber<T> app;
        try {
            app = decider.decide(prefix(), !complete);
        } catch (RuntimeException | Error e) {
            upstream.cancel();
            body.completeExceptionally(e);
            return;
        }
        if (app == null) {
            if (!complete) {
                upstream.cancel();
            }
            body.complete(null);
            return;
        }
        downstream = app;
        app.getBody().whenComplete((value, failure) -> {
            if (failure != null) {
                body.completeExceptionally(failure);
            } else {
                body.complete(value);
            }
        });
        app.onSubscribe(new Replay(app, complete));
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
     * Emits the held buffers as one item, then completes or hands demand on to upstream. Demand
     * signalled from inside the app's onNext is queued, so signals never nest.
     */
    private final class Replay implements Flow.Subscription {
        private final BodySubscriber<T> app;
        private final boolean upstreamComplete;
        private long pending;
        private boolean emitting;
        private boolean replayed;
        private boolean done;

        Replay(BodySubscriber<T> app, boolean upstreamComplete) {
            this.app = app;
            this.upstreamComplete = upstreamComplete;
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
                }
                if (upstreamComplete) {
                    synchronized (this) {
                        done = true;
                    }
                    app.onComplete();
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
            if (!upstreamComplete) {
                upstream.cancel();
            }
        }
    }
}
