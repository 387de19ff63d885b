package dev.bptt.steps;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Test helper: writes a {@link SequenceStep} in the record format, for round trips. */
final class StepJsonWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private StepJsonWriter() {}

    static String write(SequenceStep s) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", s.key());
            g.writeNumberField("step", s.step());
            if (s.hasTime()) {
                g.writeNumberField("time", s.time());
            }
            g.writeArrayFieldStart("input");
            for (double v : s.input()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            if (s.target() != null) {
                g.writeArrayFieldStart("target");
                for (double v : s.target()) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            } else if (s.targetClass() != SequenceStep.NO_CLASS) {
                g.writeNumberField("target", s.targetClass());
            }
            if (s.last()) {
                g.writeBooleanField("last", true);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
