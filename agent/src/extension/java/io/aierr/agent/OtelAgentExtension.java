package io.aierr.agent;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;

/**
 * What the OpenTelemetry Java agent finds in aierr.jar given as its extension
 * ({@code -Dotel.javaagent.extensions=aierr.jar}): no premain runs then, so aierr starts itself here,
 * while the agent configures its SDK. The shaded jar keeps this class's references to the agent's
 * extension interface unrelocated; the agent's own SDK is left as it is.
 */
public final class OtelAgentExtension implements AutoConfigurationCustomizerProvider {
    @Override
    public void customize(AutoConfigurationCustomizer customizer) {
        AierrAgent.startAsExtension();
    }
}
