package io.aierr.agent;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;

/**
 * What the OpenTelemetry Java agent finds in aierr.jar given as its extension
 * ({@code -Dotel.javaagent.extensions=aierr.jar}): no premain runs then, so aierr starts itself here,
 * while the agent configures its SDK, and its spans and metrics go through that SDK
 * ({@link AgentPipeline}). Compiled apart and added to the jar after shading, so that its references to
 * the agent's extension interface and SDK keep their unrelocated names.
 */
public final class OtelAgentExtension implements AutoConfigurationCustomizerProvider {
    @Override
    public void customize(AutoConfigurationCustomizer customizer) {
        if (AierrAgent.startAsExtension(AgentPipeline.link())) {
            AgentPipeline.capture(customizer);
        }
    }

    /** Last: the resource it catches is the one the agent's other customizers settled on. */
    @Override
    public int order() {
        return Integer.MAX_VALUE;
    }
}
