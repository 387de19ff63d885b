package dev.bptt.steps;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Parses one step record and checks it on its own against a {@link StepSchema}: exactly one JSON
 * object and nothing after it, no duplicate field names, the JSON type of each known field,
 * required fields ({@code key}, {@code step}, {@code input}, and {@code time} when the schema
 * requires it), dimensions ({@code input} length, {@code mse} target length, {@code xent} class
 * range), target form matching the loss, all numbers finite, {@code step >= 0}. Unknown fields
 * are skipped. Order across records is {@link StepOrder}'s job.
 *
 * <p>Uses Jackson's streaming parser (jackson-core only): one shared {@link JsonFactory} with
 * {@link JsonParser.Feature#STRICT_DUPLICATE_DETECTION} on (set through its {@link
 * StreamReadFeature} alias), and NaN/Infinity tokens admitted so they are reported as {@link
 * RejectKind#NON_FINITE} rather than as a syntax error. Byte input is checked to be strict UTF-8
 * first. Immutable and thread-safe; one instance may serve all records.
 */
public final class StepParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Jackson's "[Source: ...; line: 1, column: 2]" inside its messages, shortened to "line 1, column 2". */
    private static final Pattern SOURCE_REF = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

    private final StepSchema schema;

    /** A parser checking records against {@code schema}. */
    public StepParser(StepSchema schema) {
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The schema records are checked against. */
    public StepSchema schema() {
        return schema;
    }

    /**
     * Parses one record given as text.
     *
     * @throws BadStepException if the record breaks any rule listed on the type; a null record is
     *     {@link RejectKind#MALFORMED_JSON}
     */
    public SequenceStep parse(String json) throws BadStepException {
        if (json == null) {
            throw new BadStepException(RejectKind.MALFORMED_JSON, "record is null");
        }
        try (JsonParser p = JSON.createParser(json)) {
            return read(p);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new BadStepException(RejectKind.MALFORMED_JSON, String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * Parses one record given as UTF-8 bytes {@code utf8[offset, offset + length)}.
     *
     * @throws BadStepException if the bytes are not strict UTF-8 or contain NUL ({@link
     *     RejectKind#MALFORMED_JSON}), or the record breaks any rule listed on the type; a null
     *     array is {@link RejectKind#MALFORMED_JSON}
     * @throws IndexOutOfBoundsException if the range lies outside {@code utf8}
     */
    public SequenceStep parse(byte[] utf8, int offset, int length) throws BadStepException {
        if (utf8 == null) {
            throw new BadStepException(RejectKind.MALFORMED_JSON, "record is null");
        }
        Objects.checkFromIndexSize(offset, length, utf8.length);
        int bad = Utf8.firstInvalid(utf8, offset, length);
        if (bad >= 0) {
            int b = utf8[offset + bad] & 0xff;
            throw new BadStepException(RejectKind.MALFORMED_JSON, b == 0
                    ? "NUL byte at byte " + bad + " (records must be UTF-8 JSON)"
                    : String.format("invalid UTF-8 byte 0x%02X at byte %d", b, bad));
        }
        try (JsonParser p = JSON.createParser(utf8, offset, length)) {
            return read(p);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new BadStepException(RejectKind.MALFORMED_JSON, String.valueOf(e.getMessage()), e);
        }
    }

    private SequenceStep read(JsonParser p) throws IOException, BadStepException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
            throw new BadStepException(RejectKind.MALFORMED_JSON, t == null
                    ? "empty record, expected a JSON object"
                    : "top level must be a JSON object, got " + ReasonText.describe(p, t));
        }
        String key = null;
        long step = -1;
        long time = SequenceStep.NO_TIME;
        boolean timeNull = false;
        double[] input = null;
        double[] target = null;
        int targetClass = SequenceStep.NO_CLASS;
        boolean last = false;
        for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "key" -> key = FieldReader.readKey(p, v);
                case "step" -> step = FieldReader.readStep(p, v);
                case "time" -> {
                    timeNull = v == JsonToken.VALUE_NULL;
                    time = timeNull ? SequenceStep.NO_TIME : FieldReader.readTime(p, v);
                }
                case "input" -> input = FieldReader.readNumbers(p, v, "input", schema.inputSize());
                case "target" -> {
                    if (v == JsonToken.VALUE_NULL) {
                        target = null;
                        targetClass = SequenceStep.NO_CLASS;
                    } else if (schema.classTargets()) {
                        targetClass = FieldReader.readClassTarget(p, v, schema.outputSize());
                    } else {
                        target = FieldReader.readVectorTarget(p, v, schema.outputSize());
                    }
                }
                case "last" -> last = FieldReader.readLast(p, v);
                default -> p.skipChildren();
            }
        }
        // t is END_OBJECT here: the parser rejects anything else inside an object.
        if (key == null) {
            throw missing("\"key\" is required");
        }
        if (step < 0) {
            throw missing("\"step\" is required");
        }
        if (input == null) {
            throw missing("\"input\" is required (" + ReasonText.count(schema.inputSize(), "number") + ")");
        }
        if (time == SequenceStep.NO_TIME && schema.timeRequired()) {
            throw missing("\"time\" is required by the schema (event time, epoch ms)"
                    + (timeNull ? ", got null" : ""));
        }
        requireEnd(p);
        return new SequenceStep(key, step, time, input, target, targetClass, last);
    }

    private static void requireEnd(JsonParser p) throws BadStepException {
        JsonToken after;
        try {
            after = p.nextToken();
        } catch (IOException e) {
            throw new BadStepException(RejectKind.MALFORMED_JSON,
                    "trailing content after the object" + where(e), e);
        }
        if (after != null) {
            throw new BadStepException(RejectKind.MALFORMED_JSON,
                    "trailing content after the object" + where(p.currentTokenLocation()));
        }
    }

    private static BadStepException missing(String reason) {
        return new BadStepException(RejectKind.MISSING_FIELD, reason);
    }

    private static BadStepException malformed(JsonProcessingException e) {
        String detail = e.getOriginalMessage();
        if (detail == null) {
            detail = "invalid JSON";
        }
        int cut = detail.indexOf('\n');
        if (cut >= 0) {
            detail = detail.substring(0, cut);
        }
        detail = SOURCE_REF.matcher(detail).replaceAll("line $1, column $2");
        return new BadStepException(RejectKind.MALFORMED_JSON, ReasonText.shorten(detail, 200) + where(e), e);
    }

    private static String where(IOException e) {
        return e instanceof JsonProcessingException j ? where(j.getLocation()) : "";
    }

    private static String where(JsonLocation loc) {
        return loc == null || loc.getColumnNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
