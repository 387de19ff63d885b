package dev.bptt.steps;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link SequenceStep}s in the record format of CONTRACT.md §2, the inverse of
 * {@link StepParser}: key, step, time (when present), input, target (an array for mse, an
 * integer for xent, left out when none) and last.
 */
public final class StepJson {

    private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

    private StepJson() {}

    /** One record as a JSON object (no line break). */
    public static String write(SequenceStep step) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, step);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes steps to {@code file}, one object per line. */
    public static void writeLines(Path file, Iterable<SequenceStep> steps) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                JsonGenerator g = JSON.createGenerator(w)) {
            for (SequenceStep step : steps) {
                write(g, step);
                g.writeRaw('\n');
            }
        }
    }

    private static void write(JsonGenerator g, SequenceStep s) throws IOException {
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
        g.writeBooleanField("last", s.last());
        g.writeEndObject();
    }
}
