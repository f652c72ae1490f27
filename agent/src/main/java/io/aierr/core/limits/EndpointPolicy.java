package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicInteger;

/** The settings of what calls to one endpoint share (rate gate, token gate, retry budget, breaker, resend window). Immutable. */
public final class EndpointPolicy {
    final boolean gate;
    final boolean adaptiveRate;
    final boolean tokens;
    /** Negative when the budget is off. */
    final double retryBudget;
    /** 0 when the breaker is off. */
    final int breakerFailures;
    final long breakerOpenMillis;
    /** 0 when resends are not recognised. */
    final long resendWindowMillis;
    private final Fleet fleet;

    public EndpointPolicy(boolean gate, boolean adaptiveRate, boolean tokens, double retryBudget, int breakerFailures,
                          long breakerOpenMillis, long resendWindowMillis) {
        this(gate, adaptiveRate, tokens, retryBudget, breakerFailures, breakerOpenMillis, resendWindowMillis, Fleet.ALONE);
    }

    /** @param fleet the other JVMs sharing the endpoints' limits, {@link Fleet#ALONE} in local mode */
    public EndpointPolicy(boolean gate, boolean adaptiveRate, boolean tokens, double retryBudget, int breakerFailures,
                          long breakerOpenMillis, long resendWindowMillis, Fleet fleet) {
        this.gate = gate;
        this.adaptiveRate = adaptiveRate;
        this.tokens = tokens;
        this.retryBudget = retryBudget;
        this.breakerFailures = breakerFailures;
        this.breakerOpenMillis = breakerOpenMillis;
        this.resendWindowMillis = resendWindowMillis;
        this.fleet = fleet;
    }

    /** Limits shared by calls that cannot be told apart by endpoint: they stay in this JVM. */
    public EndpointLimits newLimits(String name) {
        return newLimits(name, FleetView.ofThisJvmOnly());
    }

    /**
     * The limits of one endpoint (host:port) and API key, shared with the fleet.
     *
     * @param credential the API key, or null; only a hash of it is kept
     */
    public EndpointLimits newLimits(String authority, String credential) {
        FleetView view = new FleetView(authority, credential, new AtomicInteger());
        EndpointLimits limits = newLimits(authority, view);
        fleet.join(view);
        return limits;
    }

    private EndpointLimits newLimits(String name, FleetView view) {
        return new EndpointLimits(name, view.inProgress(), view, gate ? new RateGate(adaptiveRate, view) : null,
                tokens ? new TokenGate(view) : null, new RetryBudget(retryBudget, view),
                new CircuitBreaker(breakerFailures, breakerOpenMillis, view), new SettledRequests(resendWindowMillis));
    }
}
