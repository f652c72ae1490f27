package io.aierr.instrumentation.okhttp.okhttp3;

/** Throws a checked exception where the signature does not declare it, so that it arrives as it was. */
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
