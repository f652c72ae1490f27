package io.aierr.core.limits;

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

    public EndpointPolicy(boolean gate, boolean adaptiveRate, boolean tokens, double retryBudget, int breakerFailures,
                          long breakerOpenMillis, long resendWindowMillis) {
        this.gate = gate;
        this.adaptiveRate = adaptiveRate;
        this.tokens = tokens;
        this.retryBudget = retryBudget;
        this.breakerFailures = breakerFailures;
        this.breakerOpenMillis = breakerOpenMillis;
        this.resendWindowMillis = resendWindowMillis;
    }

    public EndpointLimits newLimits(String name) {
        return new EndpointLimits(name, gate ? new RateGate(adaptiveRate) : null, tokens ? new TokenGate() : null,
                new RetryBudget(retryBudget),
                new CircuitBreaker(breakerFailures, breakerOpenMillis), new SettledRequests(resendWindowMillis));
    }
}
