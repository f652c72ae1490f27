package io.aierr.agent;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.config.AierrConfig;
import io.aierr.coordination.Coordination;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.EndpointMatcher;
import io.aierr.core.limits.EndpointPolicy;
import io.aierr.core.limits.Fleet;
import io.aierr.core.Providers;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.core.retry.RetryPolicy;
import io.aierr.config.Version;
import io.aierr.core.Telemetry;
import io.aierr.instrumentation.HelperInjector;
import io.aierr.instrumentation.LazyWeaver;
import io.aierr.instrumentation.TypeInstrumentation;
import io.aierr.instrumentation.apache.ApacheHttpAdapter;
import io.aierr.instrumentation.apache.ApacheInstrumentations;
import io.aierr.instrumentation.jdkhttp.HttpClientFacadeInstrumentation;
import io.aierr.instrumentation.jdkhttp.JdkHttpAdapter;
import io.aierr.instrumentation.okhttp.OkHttpAdapter;
import io.aierr.instrumentation.okhttp.RealCallInstrumentation;
import io.aierr.instrumentation.okhttp.RetryAndFollowUpInstrumentation;
import io.aierr.telemetry.TelemetryFactory;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Wires config, core, telemetry and the client adapters, then starts weaving. */
final class AgentInstaller {
    private AgentInstaller() {
    }

    static void install(Instrumentation inst, AierrConfig config) throws ReflectiveOperationException {
        Telemetry telemetry = TelemetryFactory.create(config, Log::warnOnce);
        Fleet fleet = Coordination.fleet(config.coordination, config.coordinationDeadlineMillis, Log::warnOnce);
        AiCalls calls = new AiCalls(EndpointMatcher.withCollectors(config.endpoints, collectorFor(config)),
                retryPolicy(config), endpointPolicy(config, fleet), telemetry);
        ReplayMemory replay = new ReplayMemory(config.retryEnabled ? config.replayLimitBytes : 0);
        AierrHooks.jdkHttp = new JdkHttpAdapter(calls, replay, Log::warnOnce);
        HelperInjector helpers = new HelperInjector(ClassDefiner.open(inst)::define);
        AierrHooks.apacheHttp = new ApacheHttpAdapter(calls, replay, Log::warnOnce, helpers);
        AierrHooks.okHttp = new OkHttpAdapter(calls, Log::warnOnce, helpers);
        List<TypeInstrumentation> instrumentations = new ArrayList<>(List.of(new HttpClientFacadeInstrumentation(),
                new RealCallInstrumentation(RealCallInstrumentation.OKHTTP_3),
                new RealCallInstrumentation(RealCallInstrumentation.OKHTTP_4_AND_5),
                new RetryAndFollowUpInstrumentation()));
        instrumentations.addAll(ApacheInstrumentations.all());
        new LazyWeaver(instrumentations, Log::warnOnce).install(inst);
        Runtime.getRuntime().addShutdownHook(new Thread(telemetry::shutdown, "aierr-shutdown"));
        System.err.println("aierr " + Version.get() + ": retries " + (config.retryEnabled
                ? "on (max-attempts " + config.maxAttempts + ", statuses " + config.retryStatuses + ")" : "off")
                + ", exporter " + exporterTarget(config)
                + (fleet == Fleet.ALONE ? "" : ", limits shared through " + Coordination.redacted(config.coordination))
                + ", " + (Providers.knownHostCount() + config.endpoints.size()) + " AI endpoints"
                + (config.endpoints.isEmpty() ? "" : " (" + config.endpoints.size() + " from aierr.endpoints: "
                + String.join(", ", config.endpoints) + ")"));
    }

    private static RetryPolicy retryPolicy(AierrConfig config) {
        return new RetryPolicy(config.retryEnabled, config.retryStatuses, config.maxAttempts,
                config.initialBackoffMillis, config.maxBackoffMillis, config.maxWaitMillis, RetryPolicy.FULL_JITTER)
                .holdingFirstEvent(config.firstEventWaitMillis)
                .backingOffIsolatedFrom(config.isolatedBackoffMillis);
    }

    private static EndpointPolicy endpointPolicy(AierrConfig config, Fleet fleet) {
        return new EndpointPolicy(config.gate, config.adaptiveRate, config.tokens, config.retryBudget, config.breakerFailures,
                config.breakerOpenMillis, config.resendWindowMillis, fleet);
    }

    private static List<String> collectorFor(AierrConfig config) {
        return config.exportsOtlp() ? config.collectorEndpoints : List.of();
    }

    private static String exporterTarget(AierrConfig config) {
        if (config.exporters.isEmpty()) {
            return "none";
        }
        String otlp = TelemetryFactory.throughOtelAgent() ? "otlp through the OpenTelemetry agent's SDK"
                : "otlp to " + config.collectorEndpoints.get(0);
        return config.exporters.stream().map(e -> "otlp".equals(e) ? otlp : e).collect(Collectors.joining(" and "));
    }
}
