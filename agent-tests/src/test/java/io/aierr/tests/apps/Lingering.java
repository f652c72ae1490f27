package io.aierr.tests.apps;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Runs an app's {@code main} (the first argument, the rest are its own), then keeps the JVM up, as
 * a service stays up, until the test leaves the mark named by the system property
 * {@code lingering.until} (see {@code ForkedJvm.untilReceived}), at most
 * {@link Signals#MAX_WAIT_MILLIS}.
 */
public final class Lingering {
    private Lingering() {
    }

    public static void main(String[] args) throws Throwable {
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        Path mark = Paths.get(System.getProperty("lingering.until"));
        Signals.await(mark.getParent(), mark.getFileName().toString());
    }
}
