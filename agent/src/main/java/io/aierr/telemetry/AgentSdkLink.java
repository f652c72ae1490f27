package io.aierr.telemetry;

import java.util.Map;

/**
 * Where the OpenTelemetry agent's side hands over its pipeline when aierr runs as the agent's
 * extension (see {@link AgentSdk}). Names no OpenTelemetry type: asking whether aierr is linked
 * loads no SDK class.
 */
public final class AgentSdkLink {
    private static volatile Map<String, Object> pipeline;

    private AgentSdkLink() {
    }

    /** Called by the agent's side before aierr starts in its own class loader. */
    public static void link(Map<String, Object> agentPipeline) {
        pipeline = agentPipeline;
    }

    static boolean linked() {
        return pipeline != null;
    }

    static Object get(String what) {
        return pipeline.get(what);
    }
}
