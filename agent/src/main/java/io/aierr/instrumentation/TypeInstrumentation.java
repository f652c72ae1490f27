package io.aierr.instrumentation;

import net.bytebuddy.asm.AsmVisitorWrapper;

/** One instrumented type: which class, and which methods get which advice. */
public interface TypeInstrumentation {
    /** Binary name of the one class to weave, e.g. {@code jdk.internal.net.http.HttpClientFacade}. */
    String typeName();

    /** The advice to weave into that class. Called only when the class is actually loaded. */
    AsmVisitorWrapper advice();
}
