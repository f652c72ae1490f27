package io.aierr.core;

/**
 * What aierr shares between all calls to one endpoint: its rate gate, retry budget, breaker and the
 * requests it settled.
 */
final class EndpointLimits {
    /** host:port, for messages; the credential it is also keyed by is never kept. */
    final String name;
    final RateGate gate;
    final RetryBudget budget;
    final CircuitBreaker breaker;
    final SettledRequests settled;

    EndpointLimits(String name, RateGate gate, RetryBudget budget, CircuitBreaker breaker, SettledRequests settled) {
        this.name = name;
        this.gate = gate;
        this.budget = budget;
        this.breaker = breaker;
        this.settled = settled;
    }
}
