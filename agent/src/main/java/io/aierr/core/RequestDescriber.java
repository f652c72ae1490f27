package io.aierr.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the GenAI operation and model of a request from its path and the top-level
 * {@code "model"} of its JSON body, for span names and {@code gen_ai.*} attributes.
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
    public static String model(String path, byte[] bodyPrefix) {
        String fromBody = bodyPrefix == null ? null : topLevelModel(bodyPrefix);
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

    private static String topLevelModel(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
                    String model = p.getText();
                    return model.length() > 200 ? model.substring(0, 200) : model;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException notJsonOrCut) {
            return null;
        }
    }
}
