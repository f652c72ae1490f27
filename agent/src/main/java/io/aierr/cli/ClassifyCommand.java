package io.aierr.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.aierr.config.AierrConfig;
import io.aierr.core.retry.AiCall;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.EndpointMatcher;
import io.aierr.core.classify.ErrorClassifier;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.classify.StreamBody;
import io.aierr.core.classify.StreamEvents;
import io.aierr.core.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code classify}: reads error responses as JSON (one object, possibly spread over lines, or
 * JSON Lines) and prints one classification per input. A bad input gets a JSON error object in
 * its place, the others are still answered, and the exit code is 1. A successful answer that is a
 * stream of events (SSE, or an AWS event stream) is answered with the first event that carries an
 * error or a content-filter stop, as the agent reads a stream; with none, the category is null.
 */
final class ClassifyCommand {
    private static final JsonFactory JSON = new JsonFactory();
    /** More than any error response; stdin beyond it is reported, not read into memory. */
    private static final int MAX_INPUT = 64 << 20;

    private final PrintStream out;
    private final EndpointMatcher endpoints;

    ClassifyCommand(PrintStream out) {
        this.out = out;
        this.endpoints = EndpointMatcher.create(AierrConfig.load().endpoints, null);
    }

    int run(InputStream in) throws IOException {
        byte[] input = in.readNBytes(MAX_INPUT + 1);
        if (input.length > MAX_INPUT) {
            out.println(errorJson("input larger than " + (MAX_INPUT >> 20) + " MiB", 0));
            return 1;
        }
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            out.println(errorJson("no input: expected a JSON object or JSON Lines on stdin", 0));
            return 1;
        }
        List<String> documents = wholeDocuments(text);
        boolean failed = false;
        int line = 0;
        for (String doc : documents != null ? documents : Arrays.asList(text.split("\\R", -1))) {
            line++;
            if (doc.isBlank()) {
                continue;
            }
            String answer;
            try {
                answer = answer(parse(doc));
            } catch (BadInput e) {
                answer = errorJson(e.getMessage(), documents != null ? 0 : line);
                failed = true;
            }
            out.println(answer);
        }
        return failed ? 1 : 0;
    }

    /**
     * The input split into its top-level JSON values (a pretty-printed object is one, JSON Lines
     * are many), or null when it does not parse as such a sequence: then each line is its own input.
     */
    private static List<String> wholeDocuments(String text) {
        List<String> docs = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            while (p.nextToken() != null) {
                StringWriter copy = new StringWriter();
                try (JsonGenerator g = JSON.createGenerator(copy)) {
                    g.copyCurrentStructure(p);
                }
                docs.add(copy.toString());
            }
            return docs;
        } catch (IOException e) {
            return null;
        }
    }

    /** One input as read: the response's fields and its whole body. */
    private static final class Input {
        final String method;
        final String url;
        final int status;
        final Headers headers;
        final byte[] body;

        Input(String method, String url, int status, Headers headers, byte[] body) {
            this.method = method;
            this.url = url;
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    private Input parse(String doc) throws BadInput {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String url = null;
        String method = "POST";
        Integer status = null;
        byte[] body = new byte[0];
        try (JsonParser p = JSON.createParser(doc)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInput("expected a JSON object with url, status, headers and body");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "url":
                        url = text(p, field);
                        break;
                    case "method":
                        method = text(p, field);
                        break;
                    case "status":
                        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_STRING) {
                            throw new BadInput("status must be an HTTP status code (100-599)");
                        }
                        status = statusOf(p.getText());
                        break;
                    case "headers":
                        readHeaders(p, headers);
                        break;
                    case "body":
                        body = bodyOf(p).getBytes(StandardCharsets.UTF_8);
                        break;
                    case "body_base64":
                        body = base64(text(p, field));
                        break;
                    default:
                        p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new BadInput("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInput("cannot read input: " + e.getMessage());
        }
        if (status == null) {
            throw new BadInput("missing \"status\" (the HTTP status code of the response)");
        }
        return new Input(method, url, status, Headers.of(headers), body);
    }

    private String answer(Input in) {
        String provider = providerOf(in.url);
        String contentType = in.headers.first("content-type");
        if (in.status >= 200 && in.status < 300 && StreamBody.isStream(contentType, in.body)) {
            StreamEvents.Found found = StreamEvents.firstIn(provider, contentType, in.body);
            return found.error != null ? json(found.error, in.status, found)
                    : noError(provider, in.status, found.events);
        }
        // the agent reads only the first bytes of an error body; classify what it would see
        boolean truncated = in.body.length > AiCall.PEEK_LIMIT;
        ErrorResponse response = new ErrorResponse(in.method, in.url, in.status, in.headers,
                truncated ? Arrays.copyOf(in.body, AiCall.PEEK_LIMIT) : in.body, truncated, System.currentTimeMillis());
        return json(ErrorClassifier.classify(provider, response), response.status, null);
    }

    /**
     * The answer's fields; a streamed answer's status is the HTTP status (the error came inside
     * it), and {@code stream} says which of its events carried the error.
     */
    private static String json(ClassifiedError e, int status, StreamEvents.Found found) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("provider", e.provider);
            g.writeStringField("category", e.category.id());
            g.writeNumberField("status", status);
            g.writeStringField("code", e.code);
            g.writeStringField("type", e.type);
            g.writeStringField("message", e.message);
            g.writeBooleanField("retryable", e.retryable);
            if (e.retryHint == null) {
                g.writeNullField("retry_after_ms");
            } else {
                g.writeNumberField("retry_after_ms", e.retryHint.delayMillis);
            }
            g.writeStringField("solution", e.solution);
            if (found != null) {
                writeStream(g, found.events, found.index, found.event);
            }
            g.writeEndObject();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return w.toString();
    }

    /** A stream with no error or content-filter event: nothing went wrong, so no category. */
    private static String noError(String provider, int status, int events) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("provider", provider);
            g.writeNullField("category");
            g.writeNumberField("status", status);
            g.writeNullField("code");
            g.writeNullField("type");
            g.writeStringField("message", "no error or content-filter event in the stream's " + events + " events");
            g.writeBooleanField("retryable", false);
            g.writeNullField("retry_after_ms");
            g.writeNullField("solution");
            writeStream(g, events, 0, null);
            g.writeEndObject();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return w.toString();
    }

    private static void writeStream(JsonGenerator g, int events, int at, String event) throws IOException {
        g.writeObjectFieldStart("stream");
        g.writeNumberField("events", events);
        if (at > 0) {
            g.writeNumberField("at", at);
        } else {
            g.writeNullField("at");
        }
        g.writeStringField("event", event);
        g.writeEndObject();
    }

    private String providerOf(String url) {
        if (url == null) {
            return "unknown";
        }
        try {
            String provider = endpoints.providerFor(URI.create(url.trim()));
            return provider == null ? "unknown" : provider;
        } catch (IllegalArgumentException notAUrl) {
            return "unknown";
        }
    }

    private static String text(JsonParser p, String field) throws IOException, BadInput {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new BadInput("\"" + field + "\" must be a string");
        }
        return p.getText();
    }

    private static byte[] base64(String text) throws BadInput {
        try {
            // line breaks are allowed, as in wrapped base64
            return text == null ? new byte[0] : Base64.getDecoder().decode(text.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new BadInput("\"body_base64\" must be base64: " + e.getMessage());
        }
    }

    private static int statusOf(String text) throws BadInput {
        try {
            int status = Integer.parseInt(text.trim());
            if (status >= 100 && status <= 599) {
                return status;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadInput("status must be an HTTP status code (100-599), got " + text);
    }

    /** {@code "headers": {"name": "value" | ["v1", "v2"]}}. */
    private static void readHeaders(JsonParser p, Map<String, List<String>> headers) throws IOException, BadInput {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new BadInput("\"headers\" must be an object of strings or arrays of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            List<String> values = headers.computeIfAbsent(name, k -> new ArrayList<>());
            if (value == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    values.add(scalar(p, name));
                }
            } else {
                values.add(scalar(p, name));
            }
        }
    }

    private static String scalar(JsonParser p, String header) throws IOException, BadInput {
        if (!p.currentToken().isScalarValue()) {
            throw new BadInput("header \"" + header + "\" must be a string or an array of strings");
        }
        return p.getText();
    }

    /** The body is a string as sent on the wire; a JSON value given in its place is taken as its text. */
    private static String bodyOf(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return "";
        }
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        StringWriter copy = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(copy)) {
            g.copyCurrentStructure(p);
        }
        return copy.toString();
    }

    static String errorJson(String message, int line) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("error", message);
            if (line > 0) {
                g.writeNumberField("line", line);
            }
            g.writeEndObject();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return w.toString();
    }

    /** Input that cannot be classified; its message is shown to the user as is. */
    private static final class BadInput extends Exception {
        BadInput(String message) {
            super(message, null, false, false);
        }
    }
}
