package io.aierr.tests.apps;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body an app streams from somewhere it cannot rewind: it serves its bytes, in 8 KiB
 * buffers as demanded, to its first subscriber only; a second subscriber gets an error.
 */
public final class OneShotPublisher implements Flow.Publisher<ByteBuffer> {
    private static final int CHUNK = 8 * 1024;

    private final byte[] body;
    private final AtomicBoolean used = new AtomicBoolean();

    public OneShotPublisher(byte[] body) {
        this.body = body;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (!used.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("this body was already sent"));
            return;
        }
        subscriber.onSubscribe(new Emitter(subscriber));
    }

    private final class Emitter implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private int at;
        private long demand;
        private boolean emitting;
        private boolean done;

        Emitter(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public synchronized void request(long n) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            if (emitting) {
                return; // called from onNext: the loop below goes on
            }
            emitting = true;
            while (demand > 0 && !done) {
                int n2 = Math.min(CHUNK, body.length - at);
                ByteBuffer chunk = ByteBuffer.wrap(body, at, n2).slice();
                at += n2;
                demand--;
                if (n2 > 0) {
                    subscriber.onNext(chunk);
                }
                if (at == body.length && !done) {
                    done = true;
                    subscriber.onComplete();
                }
            }
            emitting = false;
        }

        @Override
        public synchronized void cancel() {
            done = true;
        }
    }
}
