package io.aierr.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The agent's only output besides telemetry: single stderr lines, each problem said once. */
final class Log {
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private Log() {
    }

    static void warnOnce(String message) {
        if (SAID.size() < 100 && SAID.add(message)) {
            System.err.println("aierr: " + message);
        }
    }
}
