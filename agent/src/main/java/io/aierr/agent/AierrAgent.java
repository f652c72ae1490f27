package io.aierr.agent;

import java.lang.instrument.Instrumentation;

/** Entry point of {@code -javaagent:aierr.jar}. (Placeholder; being written.) */
public final class AierrAgent {
    private AierrAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
    }

    public static void agentmain(String args, Instrumentation inst) {
        premain(args, inst);
    }
}
