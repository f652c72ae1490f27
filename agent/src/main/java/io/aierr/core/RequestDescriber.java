package io.aierr.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the GenAI operation and model of a request from its path and the top-level
 * {@code "model"} of its JSON body, for span names and {@code gen_ai.*} attributes; and reads the
 * most output tokens the request allows, which providers charge against token limits up front.
 */
public final class RequestDescriber {
    private static final JsonFactory JSON = new JsonFactory();
    /** Gemini and Vertex put the model in the path: {@code .../models/gemini-2.0-flash:generateContent}. */
    private static final Pattern GOOGLE_MODEL = Pattern.compile("/models/([^/:]+):(stream)?[gG]enerateContent");
    /** Bedrock: {@code /model/{modelId}/invoke}, {@code /converse}, {@code /converse-stream}. */
    private static final Pattern BEDROCK_MODEL = Pattern.compile("/model/([^/]+)/(invoke|converse)");
    /** Azure OpenAI deployments name the model the app chose. */
    private static final Pattern AZURE_DEPLOYMENT = Pattern.compile("/deployments/([^/]+)/");

    private RequestDescriber() {
    }

    /** The semconv {@code gen_ai.operation.name} for this path, or null. */
    public static String operation(String path) {
        if (path == null) {
            return null;
        }
        if (path.endsWith("/chat/completions") || path.endsWith("/messages") || path.endsWith("/responses")
                || path.contains("/converse") || path.endsWith("/text-generation/generation")
                || path.endsWith("/multimodal-generation/generation")) {
            return "chat";
        }
        if (path.endsWith("/completions")) {
            return "text_completion";
        }
        if (path.endsWith("/embeddings") || path.contains(":embedContent") || path.contains(":batchEmbedContents")
                || path.endsWith("/text-embedding")) {
            return "embeddings";
        }
        if (path.contains("enerateContent")) {
            return "generate_content";
        }
        return null;
    }

    /** The requested model: the body's top-level {@code "model"}, else the model named in the path. */
    public static String model(String path, BodyFacts body) {
        String fromBody = body.model;
        if (fromBody != null) {
            return fromBody;
        }
        if (path == null) {
            return null;
        }
        for (Pattern p : new Pattern[] {GOOGLE_MODEL, BEDROCK_MODEL, AZURE_DEPLOYMENT}) {
            Matcher m = p.matcher(path);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** What a request body's top level says, read in one pass of the streaming parser that skips the messages. */
    public static final class BodyFacts {
        private static final BodyFacts NOTHING = new BodyFacts(null, -1);
        /** The top-level {@code "model"}, or null. */
        public final String model;
        /**
         * The most tokens the request lets the model answer with: OpenAI's {@code max_tokens},
         * {@code max_completion_tokens} or {@code max_output_tokens}, Anthropic's {@code max_tokens},
         * Gemini's {@code generationConfig.maxOutputTokens}; -1 when the body names none (or is cut
         * before it, or is not JSON).
         */
        public final long maxOutputTokens;

        private BodyFacts(String model, long maxOutputTokens) {
            this.model = model;
            this.maxOutputTokens = maxOutputTokens;
        }

        /** The facts of a request body's first bytes, which may be null (no body, or one not seen). */
        public static BodyFacts of(byte[] body) {
            if (body == null) {
                return NOTHING;
            }
            String model = null;
            long maxOutputTokens = -1;
            try (JsonParser p = JSON.createParser(body)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return NOTHING;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
                        String text = p.getText();
                        model = text.length() > 200 ? text.substring(0, 200) : text;
                    } else if (value == JsonToken.VALUE_NUMBER_INT && ("max_tokens".equals(name)
                            || "max_completion_tokens".equals(name) || "max_output_tokens".equals(name))) {
                        maxOutputTokens = Math.max(0, p.getLongValue());
                    } else if ("generationConfig".equals(name) && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String inner = p.currentName();
                            if (p.nextToken() == JsonToken.VALUE_NUMBER_INT && "maxOutputTokens".equals(inner)) {
                                maxOutputTokens = Math.max(0, p.getLongValue());
                            }
                            p.skipChildren();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException | RuntimeException notJsonOrCut) {
                // what was read before the cut still counts
            }
            return new BodyFacts(model, maxOutputTokens);
        }
    }
}
