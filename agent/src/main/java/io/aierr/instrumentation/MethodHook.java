package io.aierr.instrumentation;

/**
 * One hooked method of an instrumented class: which method (name, number of parameters and, when
 * the name is overloaded alike, the first parameter's type), and what its woven prologue or
 * epilogue does with the static bridge method of {@code io.aierr.bootstrap.AierrHooks} it calls.
 * The bridge gets {@code this} and the method's reference parameters, each as {@code Object}.
 */
public final class MethodHook {
    /** What the woven code does with the bridge's answer. */
    public enum Kind {
        /** At entry; the bridge returns null to run the method, else {@code {result, throwable}}: returned or thrown instead. */
        OUTCOME("[Ljava/lang/Object;"),
        /** At entry; the bridge returns null to run the method, else what the method returns instead. */
        REPLACEMENT("Ljava/lang/Object;"),
        /** At entry of a void method; the bridge returns the first argument the method runs with, or null to skip it. */
        FIRST_ARGUMENT("Ljava/lang/Object;"),
        /** At entry; the bridge returns true to skip the method, which then returns false, 0 or null. */
        SKIP("Z"),
        /** At entry; the bridge is told. */
        ON_ENTRY("V"),
        /** At each normal return; the bridge is told. */
        ON_RETURN("V");

        final String bridgeReturn;

        Kind(String bridgeReturn) {
            this.bridgeReturn = bridgeReturn;
        }
    }

    final String method;
    final int parameters;
    /** The first parameter's binary name, or null when name and count tell the method apart. */
    final String firstParameter;
    final Kind kind;
    final String bridge;

    private MethodHook(String method, int parameters, String firstParameter, Kind kind, String bridge) {
        this.method = method;
        this.parameters = parameters;
        this.firstParameter = firstParameter;
        this.kind = kind;
        this.bridge = bridge;
    }

    public static MethodHook of(String method, int parameters, Kind kind, String bridge) {
        return new MethodHook(method, parameters, null, kind, bridge);
    }

    public static MethodHook of(String method, int parameters, String firstParameter, Kind kind, String bridge) {
        return new MethodHook(method, parameters, firstParameter, kind, bridge);
    }
}
