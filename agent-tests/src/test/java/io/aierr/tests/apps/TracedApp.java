package io.aierr.tests.apps;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * An app that traces its own work with the OpenTelemetry API and knows nothing of aierr: one span
 * around each AI call it makes with the JDK client, one call per mode (send, async). The tracer is
 * GlobalOpenTelemetry's (which the OpenTelemetry Java agent bridges), or with {@code sdk=own} the
 * app's own SDK (that exports nothing). Prints {@code <mode>.status}, {@code <mode>.trace},
 * {@code <mode>.span} and whether the app's request object ever got a traceparent. (Tests keep its
 * JVM up afterwards, as a service's, until their collector has the spans: {@code ForkedJvm.untilReceived}.)
 */
public final class TracedApp {
    public static void main(String[] args) throws Exception {
        String url = null;
        String modes = "send,async";
        boolean ownSdk = false;
        for (String a : args) {
            if (a.startsWith("url=")) {
                url = a.substring(4);
            } else if (a.startsWith("modes=")) {
                modes = a.substring(6);
            } else if (a.equals("sdk=own")) {
                ownSdk = true;
            }
        }
        Tracer tracer = ownSdk ? OwnSdk.tracer() : GlobalOpenTelemetry.getTracer("traced-app");
        HttpClient client = HttpClient.newHttpClient();
        for (String mode : modes.split(",")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"))
                    .build();
            Span span = tracer.spanBuilder("app " + mode).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                HttpResponse<String> response = "async".equals(mode)
                        ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get()
                        : client.send(request, HttpResponse.BodyHandlers.ofString());
                System.out.println(mode + ".status=" + response.statusCode());
            } finally {
                span.end();
            }
            System.out.println(mode + ".trace=" + span.getSpanContext().getTraceId());
            System.out.println(mode + ".span=" + span.getSpanContext().getSpanId());
            // read outside any span: the OpenTelemetry agent adds the current context to headers() it returns
            System.out.println(mode + ".request.traceparent="
                    + request.headers().firstValue("traceparent").orElse("none"));
        }
    }

    /** Loaded only with {@code sdk=own}: the agent-bridged runs have no SDK on their class path. */
    private static final class OwnSdk {
        static Tracer tracer() {
            // a provider without any processor hands out a no-op tracer
            return SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
                @Override
                public void onStart(Context parentContext, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                }

                @Override
                public boolean isEndRequired() {
                    return false;
                }
            }).build().get("traced-app");
        }
    }
}
