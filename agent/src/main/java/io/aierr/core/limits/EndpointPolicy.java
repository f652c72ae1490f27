package io.aierr.core.limits;

/** The settings of what calls to one endpoint share (rate gate, retry budget, breaker, resend window). Immutable. */
public final class EndpointPolicy {
    final boolean sharedGate;
    final boolean adaptiveRate;
    /** Negative when the budget is off. */
    final double retryBudget;
    /** 0 when the breaker is off. */
    final int breakerFailures;
    final long breakerOpenMillis;
    /** 0 when resends are not recognised. */
    final long resendWindowMillis;

    public EndpointPolicy(boolean sharedGate, boolean adaptiveRate, double retryBudget, int breakerFailures,
                          long breakerOpenMillis, long resendWindowMillis) {
        this.sharedGate = sharedGate;
        this.adaptiveRate = adaptiveRate;
        this.retryBudget = retryBudget;
        this.breakerFailures = breakerFailures;
        this.breakerOpenMillis = breakerOpenMillis;
        this.resendWindowMillis = resendWindowMillis;
    }

    public EndpointLimits newLimits(String name) {
        return new EndpointLimits(name, sharedGate ? new RateGate(adaptiveRate) : null, new RetryBudget(retryBudget),
                new CircuitBreaker(breakerFailures, breakerOpenMillis), new SettledRequests(resendWindowMillis));
    }
}
