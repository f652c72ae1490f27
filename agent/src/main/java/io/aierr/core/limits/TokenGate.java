package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.ClassifiedError;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Token-aware admission for one endpoint: for each model (an Azure deployment is a model), aierr's
 * copies of the server's token buckets, and the turns of the calls that wait for tokens. A call
 * reserves its estimated cost before it is sent and waits when that does not fit; the answer then
 * corrects the bucket, from the server's counters when it sends them.
 *
 * <p>Buckets appear when the server first shows them (its counters, or a 429 that names a token
 * limit); until then nothing waits here, and the request gate works alone. Thread-safe.
 */
public final class TokenGate {
    private static final long SECOND = 1_000_000_000L;
    /** An app talks to a handful of models; this only bounds what a misbehaving one could grow. */
    private static final int MAX_MODELS = 256;
    /** Prompts estimated below this many tokens say too little of the ratio (JSON overhead dominates). */
    private static final double MIN_ESTIMATE_TO_LEARN = 32;
    private static final double MIN_RATIO = 0.05;
    private static final double MAX_RATIO = 20;
    private static final double LEARNING_WEIGHT = 0.2;

    /** The server's buckets a request is charged against, and what it costs in each. */
    enum Kind {
        /** OpenAI and Azure OpenAI tokens per minute: the larger of the output cap and the prompt, charged at admission. */
        TOKENS("tokens") {
            @Override
            double cost(double input, double output) {
                return Math.max(input, output);
            }
        },
        /** Anthropic's input tokens per minute. */
        INPUT("input-tokens") {
            @Override
            double cost(double input, double output) {
                return input;
            }
        },
        /** Anthropic's output tokens per minute, charged at the output cap until the usage is known. */
        OUTPUT("output-tokens") {
            @Override
            double cost(double input, double output) {
                return output;
            }
        };

        final String bucket;

        Kind(String bucket) {
            this.bucket = bucket;
        }

        abstract double cost(double input, double output);
    }

    /** Read on every reservation and answer: one array, not a fresh copy each time. */
    private static final Kind[] KINDS = Kind.values();

    /** What one attempt reserved, and what it must hand back with its answer. */
    public static final class Reservation {
        final String model;
        /** The prompt's tokens estimated from its size alone, before what usage taught. */
        final double estimatedInput;
        final double input;
        final double output;
        final double[] charged = new double[KINDS.length];
        /** The model's running totals right after this attempt went out. */
        final double[] sentTotalThen = new double[KINDS.length];
        long sentAt;
        boolean wentOut;
        /** Sent, or released: its tokens are no longer promised. */
        boolean settled;
        private long waitNanos;

        private Reservation(String model, double estimatedInput, double input, double output) {
            this.model = model;
            this.estimatedInput = estimatedInput;
            this.input = input;
            this.output = output;
        }

        /** Nanoseconds the attempt waits for its tokens. */
        public long waitNanos() {
            return waitNanos;
        }

        /** Whether a known bucket set this turn: then it is the wait the server's limit needs. */
        public boolean paced() {
            for (double c : charged) {
                if (c > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The sum of {@link Model#recentlyPassed} that counts successes. */
    private static final int SUCCESSES = KINDS.length;
    /**
     * Successes in the second before a first 429 that may give a rate: fewer tell too little of the
     * bucket, and a rate guessed low is not corrected while calls paced by it meet no 429 (a fleet
     * bench JVM whose one success gave 300 tokens a second crawled for 30 s, the others at 3,000).
     */
    static final int MIN_SUCCESSES_TO_GUESS = 4;

    /** One model's buckets, and the tokens sent to it so far, by kind of bucket. */
    private static final class Model {
        final TokenBucket[] buckets = new TokenBucket[KINDS.length];
        /**
         * Tokens of successes in about the last second, by kind, and the successes themselves (sum
         * {@link #SUCCESSES}), counted before any bucket is known: at the first 429 that names a
         * limit they give the bucket a first rate (see {@link TokenBucket}).
         */
        final SlidingSums recentlyPassed = new SlidingSums(KINDS.length + 1, SECOND, 10);
        /** Running totals: the difference between two readings is what went out in between. */
        final double[] sentTotal = new double[KINDS.length];
        /**
         * Prompt tokens the server counted per token estimated from the body's size, learned from
         * usage; read by reservations without the lock.
         */
        volatile double inputPerEstimate = 1;

        TokenBucket bucket(Kind kind, FleetView fleet) {
            if (buckets[kind.ordinal()] == null) {
                buckets[kind.ordinal()] = new TokenBucket(fleet);
            }
            return buckets[kind.ordinal()];
        }
    }

    /** Concurrent, as a reservation looks its model up without the lock; made and changed under it. */
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    /** Some model has a bucket: answers without counters still count against it. */
    private volatile boolean tracking;
    /** Other JVMs sharing the endpoint: each paces to its share of the server's buckets. */
    private final FleetView fleet;

    public TokenGate() {
        this(FleetView.ofThisJvmOnly());
    }

    TokenGate(FleetView fleet) {
        this.fleet = fleet;
        fleet.tokenPassesFrom(this::tokenPasses);
    }

    /**
     * Tokens per second this JVM's successes spent in the last second, per model and bucket, for the
     * fleet: {@code bucket=tokens} pairs (see {@link FleetView#tokenPasses}).
     */
    private String tokenPasses() {
        long now = System.nanoTime();
        StringBuilder pairs = new StringBuilder();
        models.forEach((name, model) -> {
            model.recentlyPassed.advance(now);
            for (Kind kind : KINDS) {
                long tokens = model.recentlyPassed.sum(kind.ordinal());
                if (tokens > 0) {
                    pairs.append(pairs.length() == 0 ? "" : ",").append(fleetBucket(name, kind)).append('=').append(tokens);
                }
            }
        });
        return pairs.toString();
    }

    /** A model's bucket as the fleet names it: a hash, as model and deployment names stay in the process. */
    static String fleetBucket(String model, Kind kind) {
        return Integer.toHexString(model.hashCode()) + '.' + kind.ordinal();
    }
    /** The last 429 that named a token limit: what a call refused its turn gets a copy of. */
    private AnswerCopy cause;

    /**
     * Reserves a request's estimated cost in each known bucket of its model; the reservation says
     * how long the call waits for the tokens, 0 when they are there (or no bucket is known).
     *
     * @param inputTokens  the prompt's tokens as its size suggests (before what usage taught)
     * @param outputTokens the most output tokens the request allows, 0 when it names none
     */
    public Reservation reserve(long now, String model, double inputTokens, double outputTokens) {
        String key = key(model);
        Model mine = models.get(key);
        double ratio = mine == null ? 1 : mine.inputPerEstimate;
        Reservation r = new Reservation(key, inputTokens, inputTokens * ratio, outputTokens);
        if (mine == null || !tracking) {
            return r; // no bucket to reserve in: no lock for every call of an endpoint without token limits
        }
        synchronized (this) {
            return reserveLocked(now, mine, r);
        }
    }

    private Reservation reserveLocked(long now, Model mine, Reservation r) {
        for (Kind kind : KINDS) {
            TokenBucket b = mine.buckets[kind.ordinal()];
            if (b != null && b.known(now)) {
                r.charged[kind.ordinal()] = b.reserve(now, kind.cost(r.input, r.output));
                r.waitNanos = Math.max(r.waitNanos, b.debtNanos());
            }
        }
        return r;
    }

    /** The call will not send what it reserved (refused, aborted, or it failed before sending). */
    public void release(long now, Reservation r) {
        if (r.settled) {
            return;
        }
        r.settled = true;
        if (r.paced()) {
            synchronized (this) {
                forEachCharged(r, (kind, b) -> b.release(now, r.charged[kind.ordinal()]));
            }
        }
    }

    /** The attempt goes out now with the tokens it reserved. */
    public void sent(long now, Reservation r) {
        if (r.settled) {
            return;
        }
        r.settled = true;
        r.wentOut = true;
        r.sentAt = now;
        if (tracking) {
            synchronized (this) {
                sentLocked(r);
            }
        }
    }

    /** Until some bucket is tracked, the running totals of what went out are not needed either. */
    private void sentLocked(Reservation r) {
        forEachCharged(r, (kind, b) -> b.sent(r.charged[kind.ordinal()]));
        Model mine = model(r.model);
        if (mine != null) {
            for (Kind kind : KINDS) {
                mine.sentTotal[kind.ordinal()] += kind.cost(r.input, r.output);
                r.sentTotalThen[kind.ordinal()] = mine.sentTotal[kind.ordinal()];
            }
        }
    }

    /**
     * An answer that was not a rate-limit answer: the buckets follow the server's counters when it
     * sent them, and a success's cost is what passed.
     */
    public void answered(long now, Reservation r, Headers headers, long receivedAtMillis, boolean success) {
        if (success) {
            Model mine = model(r.model);
            if (mine != null) {
                for (int k = 0; k < KINDS.length; k++) {
                    mine.recentlyPassed.add(now, k, Math.round(KINDS[k].cost(r.input, r.output)));
                }
                mine.recentlyPassed.add(now, SUCCESSES, 1);
            }
        }
        RateCounters[] counters = countersIn(headers, receivedAtMillis);
        if (counters == null && !tracking) {
            return; // no token limit known, none told: the lock every answer would take is not needed
        }
        synchronized (this) {
            Model mine = follow(now, r, counters);
            if (success && mine != null) {
                for (Kind kind : KINDS) {
                    if (mine.buckets[kind.ordinal()] != null) {
                        mine.buckets[kind.ordinal()].passed(kind.cost(r.input, r.output));
                    }
                }
            }
        }
    }

    /**
     * A rate-limit answer. The buckets follow the counters it carries; without them, a 429 that
     * names a token limit says that bucket is empty, and teaches its rate.
     *
     * @return whether the answer names a token limit: the token gate then holds the calls it
     *         concerns, and the request gate must not
     */
    public boolean throttled(long now, Reservation r, Headers headers, long receivedAtMillis, AnswerCopy answer) {
        RateCounters[] counters = countersIn(headers, receivedAtMillis);
        Kind named = namedLimit(answer.error);
        if (named == null && counters == null && !tracking) {
            return false; // a request limit's 429, and no token limit to follow: nothing here to change
        }
        synchronized (this) {
            Model mine = follow(now, r, counters);
            if (named == null || mine == null) {
                return named != null;
            }
            cause = answer;
            mine.recentlyPassed.advance(now);
            long sentAt = r.wentOut ? r.sentAt : now;
            double own = mine.recentlyPassed.sum(named.ordinal());
            double others = fleet.othersTokenPassRate(fleetBucket(r.model, named));
            if (!Double.isNaN(others)) {
                bucket(mine, named).throttledInFleet(now, sentAt, named.cost(r.input, r.output), own + others);
                return true;
            }
            // a JVM that just began, or whose calls the others crowded out, has too few successes to tell a rate
            double passed = mine.recentlyPassed.sum(SUCCESSES) < MIN_SUCCESSES_TO_GUESS ? 0 : own;
            bucket(mine, named).throttled(now, sentAt, named.cost(r.input, r.output), passed);
            return true;
        }
    }

    /**
     * A success's usage says how many prompt tokens the server counted: the model's estimate learns
     * the ratio to what its body's size suggested (a moving average; prompts in other scripts or
     * with images differ from four bytes a token).
     */
    public void used(Reservation r, long inputTokens) {
        if (r.estimatedInput < MIN_ESTIMATE_TO_LEARN || inputTokens <= 0) {
            return;
        }
        Model mine = model(r.model);
        if (mine == null) {
            return;
        }
        double seen = Math.max(MIN_RATIO, Math.min(MAX_RATIO, inputTokens / r.estimatedInput));
        // without the lock every success would take: of two learning at once one may be lost, which
        // a moving average does not miss
        mine.inputPerEstimate += (seen - mine.inputPerEstimate) * LEARNING_WEIGHT;
    }

    /** The last 429 that named a token limit, or null: what a call refused its turn gets a copy of. */
    public synchronized AnswerCopy cause() {
        return cause;
    }

    /** The token counters of an answer, by {@link Kind}; null when it carries none. Read outside the lock. */
    private static RateCounters[] countersIn(Headers headers, long receivedAtMillis) {
        RateCounters[] counters = null;
        for (Kind kind : KINDS) {
            RateCounters c = RateCounters.of(kind.bucket, headers, receivedAtMillis);
            if (c != null) {
                if (counters == null) {
                    counters = new RateCounters[KINDS.length];
                }
                counters[kind.ordinal()] = c;
            }
        }
        return counters;
    }

    /** The model's state after its buckets followed an answer's counters; null past {@link #MAX_MODELS}. */
    private Model follow(long now, Reservation r, RateCounters[] counters) {
        Model mine = model(r.model);
        if (mine == null || counters == null) {
            return mine;
        }
        for (Kind kind : KINDS) {
            RateCounters c = counters[kind.ordinal()];
            if (c != null) {
                int k = kind.ordinal();
                bucket(mine, kind).follow(now, c, r.wentOut ? r.sentAt : now,
                        r.wentOut ? mine.sentTotal[k] - r.sentTotalThen[k] : 0);
            }
        }
        return mine;
    }

    /** The model's bucket of this kind, made on first use: from then on every answer is followed. */
    private TokenBucket bucket(Model mine, Kind kind) {
        tracking = true;
        return mine.bucket(kind, fleet);
    }

    /** The model's state, made on first use (without the lock); null past {@link #MAX_MODELS}. */
    private Model model(String key) {
        Model mine = models.get(key);
        return mine != null || models.size() >= MAX_MODELS ? mine : models.computeIfAbsent(key, k -> new Model());
    }

    /** Which token limit a rate-limit answer names, from its type and message; null for a request limit. */
    static Kind namedLimit(ClassifiedError error) {
        String said = ((error.type == null ? "" : error.type) + ' ' + (error.message == null ? "" : error.message))
                .toLowerCase(Locale.ROOT);
        if (said.contains("output token")) {
            return Kind.OUTPUT;
        }
        if (said.contains("input token")) {
            return Kind.INPUT;
        }
        return said.contains("token") ? Kind.TOKENS : null;
    }

    private void forEachCharged(Reservation r, BiConsumer<Kind, TokenBucket> action) {
        Model mine = models.get(r.model);
        if (mine == null) {
            return;
        }
        for (Kind kind : KINDS) {
            if (mine.buckets[kind.ordinal()] != null && r.charged[kind.ordinal()] > 0) {
                action.accept(kind, mine.buckets[kind.ordinal()]);
            }
        }
    }

    private static String key(String model) {
        return model == null ? "" : model;
    }
}
