package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What aierr shares between all calls to one endpoint: its rate gate, token gate, retry budget,
 * breaker, the requests it settled, and its view of the other JVMs that share the endpoint.
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
    /** Whether its unhinted failures come alone, among good answers, or many together. */
    public final RecentAnswers answers = new RecentAnswers();
    /** Calls to the endpoint admitted and not yet ended: one means a lone caller. */
    public final AtomicInteger inProgress;
    /** What the other JVMs sharing the endpoint's limit said, and what this one tells them. */
    public final FleetView fleet;

    EndpointLimits(String name, AtomicInteger inProgress, FleetView fleet, RateGate gate, TokenGate tokens,
                   RetryBudget budget, CircuitBreaker breaker, SettledRequests settled) {
        this.name = name;
        this.inProgress = inProgress;
        this.fleet = fleet;
        this.gate = gate;
        this.tokens = tokens;
        this.budget = budget;
        this.breaker = breaker;
        this.settled = settled;
    }
}
