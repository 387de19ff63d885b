package dev.bptt.connectors.files;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One dead letter as one line of JSON, {@code {"reason":...,"record":...,"origin":...}}:
 * {@code record} is the original record text, kept exactly; the line is ASCII, every other
 * character (and any unpaired surrogate) written as a JSON <code>&#92;uXXXX</code> escape, so any
 * JSON parser gives back the same string. {@code origin} is left out when unknown.
 */
public final class DeadLetterJson {

    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .rootValueSeparator((String) null)
            .build();

    private DeadLetterJson() {}

    /** The line, without its newline. */
    public static String line(String reason, String record, String origin) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(record, "record");
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("reason", reason);
            out.writeStringField("record", record);
            if (origin != null && !origin.isEmpty()) {
                out.writeStringField("origin", origin);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to a string", e);
        }
        return text.toString();
    }
}
