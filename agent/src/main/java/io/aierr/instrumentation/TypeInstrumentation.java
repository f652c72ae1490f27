package io.aierr.instrumentation;

import java.util.List;

/** One instrumented type: which class, and which of its methods are hooked how. */
public interface TypeInstrumentation {
    /** Binary name of the one class to weave, e.g. {@code jdk.internal.net.http.HttpClientFacade}. */
    String typeName();

    /** The hooks to weave into that class. Called only when the class is actually loaded. */
    List<MethodHook> hooks();
}
