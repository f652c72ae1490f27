package io.aierr.core.limits;

/**
 * The JVMs (replicas) that share an endpoint's limit, as far as this one can reach them: what one
 * learns (a 429's hold, the rate the endpoint accepts) reaches the others, and each learns its share
 * of the limit. Implemented outside the core (aierr's coordination through Redis); {@link #ALONE}
 * reaches nobody.
 *
 * <p>App threads never wait for the fleet: they read and write their endpoint's {@link FleetView},
 * and the fleet carries it to and from the others on its own thread.
 */
public interface Fleet {
    /** Local mode: this JVM shares nothing, every view keeps its whole share. */
    Fleet ALONE = view -> { };

    /** Starts carrying this endpoint's view to and from the others; returns at once. */
    void join(FleetView view);
}
