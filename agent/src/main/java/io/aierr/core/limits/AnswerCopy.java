package io.aierr.core.limits;

import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.ErrorResponse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A copy of an error answer that aierr can hand an app instead of sending its request: its status,
 * content type and body when it was peeked whole, else a minimal error body in the provider's own
 * JSON shape, so the app's error handling sees what the server would have said. Immutable.
 */
public final class AnswerCopy {
    private static final JsonFactory JSON = new JsonFactory();

    public final int status;
    public final String contentType;
    public final byte[] body;
    /** The classified error the copy stands for. */
    public final ClassifiedError error;

    private AnswerCopy(int status, String contentType, byte[] body, ClassifiedError error) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.error = error;
    }

    public static AnswerCopy of(ErrorResponse response, ClassifiedError error) {
        String contentType = response.headers.first("content-type");
        if (!response.bodyTruncated && response.body.length > 0) {
            return new AnswerCopy(response.status, contentType, response.body, error);
        }
        return new AnswerCopy(response.status, "application/json", minimalBody(error), error);
    }

    /** The body a provider of this family sends for such an error, with the classified message. */
    static byte[] minimalBody(ClassifiedError error) {
        String message = error.message != null ? error.message : "HTTP " + error.status + " " + error.category.id();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            switch (error.provider) {
                case "anthropic":
                    g.writeStringField("type", "error");
                    g.writeObjectFieldStart("error");
                    g.writeStringField("type", error.type != null ? error.type : error.category.id() + "_error");
                    g.writeStringField("message", message);
                    g.writeEndObject();
                    break;
                case "gemini":
                case "vertex-ai":
                    g.writeObjectFieldStart("error");
                    g.writeNumberField("code", error.status);
                    g.writeStringField("message", message);
                    g.writeStringField("status", error.type != null ? error.type
                            : error.category.id().toUpperCase(Locale.ROOT));
                    g.writeEndObject();
                    break;
                default:
                    g.writeObjectFieldStart("error");
                    g.writeStringField("message", message);
                    g.writeStringField("type", error.type != null ? error.type : error.category.id());
                    g.writeStringField("code", error.code != null ? error.code : error.category.id());
                    g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            return ("{\"error\":{\"message\":\"HTTP " + error.status + "\"}}").getBytes(StandardCharsets.UTF_8);
        }
        return out.toByteArray();
    }
}
