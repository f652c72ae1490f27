package io.aierr.instrumentation.okhttp;

/**
 * Lets what the app's callback threw reach the dispatcher thread as it was, checked or not: OkHttp
 * handles it there as it would without aierr (method handles declare {@code Throwable}).
 */
final class Rethrow {
    private Rethrow() {
    }

    static RuntimeException unchecked(Throwable t) {
        throw Rethrow.<RuntimeException>sneaky(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
