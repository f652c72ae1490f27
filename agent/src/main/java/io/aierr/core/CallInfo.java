package io.aierr.core;

/** What is known about a logical AI call before its first attempt. */
public final class CallInfo {
    public final String provider;
    public final String method;
    /** The full URL as the app sent it. Telemetry must redact it before export. */
    public final String url;
    public final String host;
    public final int port;
    /** GenAI operation ({@code chat}, {@code embeddings}...), or null when unknown. */
    public final String operation;
    /** Requested model or deployment, or null when unknown. */
    public final String model;
    /**
     * The {@code traceparent} header the app's request carries, or null: the app (or its tracing)
     * propagates a trace there, and aierr's spans continue it.
     */
    public final String appTraceparent;
    /** The most output tokens the request allows ({@code max_tokens} and its kin), -1 when it names none. */
    public final long maxOutputTokens;

    public CallInfo(String provider, String method, String url, String host, int port,
                    String operation, String model, String appTraceparent, long maxOutputTokens) {
        this.provider = provider;
        this.method = method;
        this.url = url;
        this.host = host;
        this.port = port;
        this.operation = operation;
        this.model = model;
        this.appTraceparent = appTraceparent;
        this.maxOutputTokens = maxOutputTokens;
    }
}
