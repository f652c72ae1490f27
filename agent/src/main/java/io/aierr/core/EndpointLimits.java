package io.aierr.core;

/** What aierr shares between all calls to one endpoint: its rate gate, retry budget and breaker. */
final class EndpointLimits {
    /** host:port, for messages; the credential it is also keyed by is never kept. */
    final String name;
    final RateGate gate;
    final RetryBudget budget;
    final CircuitBreaker breaker;

    EndpointLimits(String name, RateGate gate, RetryBudget budget, CircuitBreaker breaker) {
        this.name = name;
        this.gate = gate;
        this.budget = budget;
        this.breaker = breaker;
    }
}
