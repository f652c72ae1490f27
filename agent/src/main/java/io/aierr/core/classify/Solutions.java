package io.aierr.core.classify;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** The fix hint of a classified error: what the user should change, by category and provider. */
final class Solutions {
    private static final Map<Category, String> GENERAL = new EnumMap<>(Category.class);
    /** Provider-specific advice, keyed {@code provider/category}. */
    private static final Map<String, String> SPECIFIC = new HashMap<>();

    static {
        GENERAL.put(Category.INVALID_REQUEST, "The endpoint rejected the request itself: check the JSON body, "
                + "parameter names and types against the provider's API reference.");
        GENERAL.put(Category.CONTEXT_LENGTH_EXCEEDED, "The prompt plus max_tokens exceeds the model's context "
                + "window: trim or summarize the history, lower max_tokens, or use a model with a larger window.");
        GENERAL.put(Category.CONTENT_FILTERED, "The provider's content filter blocked the prompt or the answer: "
                + "rephrase the input, or review the filter settings of your deployment.");
        GENERAL.put(Category.AUTHENTICATION, "The credentials were refused: check that the API key or token is "
                + "set, belongs to this endpoint, has no stray spaces, and has not expired or been revoked.");
        GENERAL.put(Category.PERMISSION_DENIED, "The key is valid but not allowed here: check the key's roles or "
                + "project access to this model, and whether the provider serves your region.");
        GENERAL.put(Category.NOT_FOUND, "Nothing answers at this URL: check the base URL and path, the model or "
                + "deployment name, and the API version.");
        GENERAL.put(Category.UNSUPPORTED, "The endpoint does not support this method or protocol: check the HTTP "
                + "method, the path and the HTTP version the client uses.");
        GENERAL.put(Category.TIMEOUT, "The model did not answer in time: raise the timeout, lower max_tokens, "
                + "stream the answer, or move long jobs to an asynchronous API.");
        GENERAL.put(Category.CONFLICT, "The request conflicts with the state of a resource: wait for the pending "
                + "operation to finish, then send again.");
        GENERAL.put(Category.PAYLOAD_TOO_LARGE, "The request body is larger than the endpoint accepts: send fewer "
                + "or smaller inputs, or upload large files through the provider's file API.");
        GENERAL.put(Category.RATE_LIMITED, "Requests or tokens per minute are above the limit: aierr waits as the "
                + "server asks; if it persists, lower concurrency, spread the load, or ask for a higher limit.");
        GENERAL.put(Category.QUOTA_EXCEEDED, "The quota or credit is spent, which waiting does not fix: check the "
                + "plan, billing and usage limits of the account, or switch to another key or project.");
        GENERAL.put(Category.QUEUE_FULL, "Every worker of the instance is busy and its queue is full: aierr retries; "
                + "if it persists, add instances or workers, or look for requests that never finish.");
        GENERAL.put(Category.CLIENT_CLOSED, "The client gave up before the server answered: raise the client "
                + "timeout above the model's processing time, or use an asynchronous API for long requests.");
        GENERAL.put(Category.SERVER_ERROR, "The provider failed while handling the request: retry later, and "
                + "report it with the request id if it keeps happening.");
        GENERAL.put(Category.BAD_GATEWAY, "A gateway or proxy got no valid answer from the model server: check "
                + "that the backend is up and that the proxy's upstream settings point at it.");
        GENERAL.put(Category.UNAVAILABLE, "No healthy backend could take the request: aierr retries; if it persists, "
                + "check that the service's instances are running and ready and have enough CPU, memory and GPU.");
        GENERAL.put(Category.OVERLOADED, "The model is overloaded right now: aierr retries with backoff; if it "
                + "persists, send less at once or fall back to another model or region.");
        GENERAL.put(Category.CONNECTION_ERROR, "No HTTP answer at all: check the host name, port, TLS settings, "
                + "proxies and firewalls between the app and the endpoint.");
        GENERAL.put(Category.UNKNOWN, "The response does not match a known error: read the status and message, "
                + "and check the provider's status page.");

        SPECIFIC.put("azure-openai/not_found", "Check the deployment name in the URL (not the model name), the "
                + "resource's endpoint, and that the api-version query parameter is one the service supports.");
        SPECIFIC.put("azure-openai/authentication", "Send the key of this Azure resource in the api-key header "
                + "(or an Entra ID token with a Cognitive Services role) and use the resource's own endpoint.");
        SPECIFIC.put("azure-openai/rate_limited", "The deployment's tokens-per-minute or requests-per-minute quota "
                + "is used up: aierr waits as asked; raise the deployment's TPM or spread calls over deployments.");
        SPECIFIC.put("openai/quota_exceeded", "The organization's credit or monthly budget is spent: add credit or "
                + "raise the usage limit in the billing settings; retrying does not help.");
        SPECIFIC.put("anthropic/quota_exceeded", "The account's credit balance is too low: buy credits or raise the "
                + "spend limit in the Anthropic console; retrying does not help.");
        SPECIFIC.put("gemini/quota_exceeded", "A daily or free-tier quota is spent: wait for the daily reset, enable "
                + "billing, or ask for a higher quota for the project.");
        SPECIFIC.put("dashscope/quota_exceeded", "The Alibaba Cloud account is in arrears or the free quota is "
                + "spent: top up the account or enable pay-as-you-go for the model.");
        SPECIFIC.put("pai-eas/queue_full", "PAI-EAS returned 450: the instance queue (metadata.rpc.max_queue_size, "
                + "default 64) is full. Add instances or metadata.rpc.worker_threads; if every request gets 450, "
                + "the workers are likely stuck in the processor code.");
        SPECIFIC.put("pai-eas/unavailable", "PAI-EAS has no ready instance (503 no healthy upstream): check that "
                + "the service runs and its instances are ready, with spare CPU, memory and GPU memory; a request "
                + "that crashes the instance causes it too (see the service logs).");
        SPECIFIC.put("pai-eas/authentication", "Send the service token (from 'View call information') as the "
                + "Authorization header, exactly as shown.");
        SPECIFIC.put("pai-eas/timeout", "The request ran longer than the service allows (408 after "
                + "metadata.rpc.keepalive, default 5 s; 504 at the gateway): raise the keepalive or use the "
                + "asynchronous queue service for long inference.");
        SPECIFIC.put("pai-eas/client_closed", "The client closed the connection before the service answered "
                + "(499; 512 in the EAS Go SDK): raise the client timeout or use the asynchronous queue service.");
        SPECIFIC.put("vllm/not_found", "The model name is not one the server serves: list them with GET /v1/models "
                + "and check that the base URL ends before /v1/chat/completions.");
    }

    private Solutions() {
    }

    /** A daily request or token limit: waiting works, but not within a call, and money is not the fix. */
    static String forDailyLimit(String provider) {
        String reset = "gemini".equals(provider) || "vertex-ai".equals(provider) ? "midnight Pacific time"
                : "the provider's daily reset";
        return "A daily request or token limit is used up; it frees again at " + reset + ", longer than aierr "
                + "waits within a call. Spread the work over the day, use another model or key meanwhile, or ask "
                + "the provider for a higher daily limit.";
    }

    static String forError(String provider, Category category) {
        String specific = SPECIFIC.get(provider + "/" + category.id());
        return specific != null ? specific : GENERAL.get(category);
    }
}
