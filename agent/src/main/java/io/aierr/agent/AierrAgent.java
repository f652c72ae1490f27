package io.aierr.agent;

import io.aierr.config.AierrConfig;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:aierr.jar} (and of attaching to a running JVM). Whatever goes
 * wrong here is reported in one line and the app starts without aierr: an exception escaping
 * premain would kill the JVM. This class names no bridge type, so that verifying it cannot
 * load one before {@link BridgeInjector} has put it in place.
 */
public final class AierrAgent {
    private static boolean started;

    private AierrAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(inst);
    }

    private static synchronized void start(Instrumentation inst) {
        if (started) {
            return;
        }
        started = true;
        try {
            AierrConfig config = AierrConfig.load();
            config.warnings.forEach(System.err::println);
            if (!config.enabled) {
                System.err.println("aierr: disabled by aierr.enabled=false");
                return;
            }
            BridgeInjector.inject(inst);
            AgentInstaller.install(inst, config);
        } catch (Throwable t) {
            System.err.println("aierr: not started, the application runs without it: " + t);
        }
    }
}
