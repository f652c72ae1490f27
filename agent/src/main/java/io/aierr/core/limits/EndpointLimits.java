package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What aierr shares between all calls to one endpoint: its rate gate, token gate, retry budget,
 * breaker and the requests it settled.
 */
public final class EndpointLimits {
    /** host:port, for messages; the credential it is also keyed by is never kept. */
    public final String name;
    /** Null when the gate is off. */
    public final RateGate gate;
    /** Null when token-aware admission is off. */
    public final TokenGate tokens;
    public final RetryBudget budget;
    public final CircuitBreaker breaker;
    public final SettledRequests settled;
    /** Calls to the endpoint admitted and not yet ended: one means a lone caller. */
    public final AtomicInteger inProgress = new AtomicInteger();

    public EndpointLimits(String name, RateGate gate, TokenGate tokens, RetryBudget budget, CircuitBreaker breaker, SettledRequests settled) {
        this.name = name;
        this.gate = gate;
        this.tokens = tokens;
        this.budget = budget;
        this.breaker = breaker;
        this.settled = settled;
    }
}
