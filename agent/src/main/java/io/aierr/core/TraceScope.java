package io.aierr.core;

/**
 * Something made current in the application's own tracing on one thread, until {@link #close()}
 * is called on that same thread. Never throws.
 */
public interface TraceScope extends AutoCloseable {
    TraceScope NONE = () -> {
    };

    @Override
    void close();
}
