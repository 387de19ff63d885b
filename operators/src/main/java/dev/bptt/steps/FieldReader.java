package dev.bptt.steps;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the value of one known field at the parser's current token {@code t} and checks its JSON
 * type and domain; a value that does not fit becomes a {@link BadStepException} naming the field.
 */
final class FieldReader {

    private FieldReader() {}

    /** {@code key}: a non-empty string. */
    static String readKey(JsonParser p, JsonToken t) throws IOException, BadStepException {
        if (t != JsonToken.VALUE_STRING) {
            throw wrongType(p, t, "\"key\" must be a string");
        }
        String key = p.getText();
        if (key.isEmpty()) {
            throw new BadStepException(RejectKind.WRONG_TYPE, "\"key\" must be a non-empty string, got \"\"");
        }
        return key;
    }

    /** {@code step}: a JSON integer in {@code [0, Long.MAX_VALUE]}. */
    static long readStep(JsonParser p, JsonToken t) throws IOException, BadStepException {
        long step = readLong(p, t, "step", "an integer >= 0");
        if (step < 0) {
            throw new BadStepException(RejectKind.WRONG_TYPE, "\"step\" must be >= 0, got " + step);
        }
        return step;
    }

    /** {@code time}: a JSON integer that fits in a long, other than {@link SequenceStep#NO_TIME}. */
    static long readTime(JsonParser p, JsonToken t) throws IOException, BadStepException {
        long time = readLong(p, t, "time", "an integer (epoch ms)");
        if (time == SequenceStep.NO_TIME) {
            throw new BadStepException(RejectKind.WRONG_TYPE,
                    "\"time\" " + time + " is reserved for \"no time\", use a later epoch ms");
        }
        return time;
    }

    /** {@code last}: true, false or null (= false). */
    static boolean readLast(JsonParser p, JsonToken t) throws IOException, BadStepException {
        return switch (t) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw wrongType(p, t, "\"last\" must be a boolean");
        };
    }

    /**
     * An array of exactly {@code expected} finite numbers (integers or fractions). Elements past
     * {@code expected} are still checked and counted so the reason can state the real length.
     */
    static double[] readNumbers(JsonParser p, JsonToken t, String field, int expected)
            throws IOException, BadStepException {
        if (t != JsonToken.START_ARRAY) {
            throw wrongType(p, t, "\"" + field + "\" must be an array of " + ReasonText.count(expected, "number"));
        }
        double[] values = new double[expected];
        int n = 0;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.VALUE_NUMBER_FLOAT && e != JsonToken.VALUE_NUMBER_INT) {
                throw wrongType(p, e, field + "[" + n + "] must be a number");
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw nonFinite(p, field + "[" + n + "]", v);
            }
            if (n < expected) {
                values[n] = v;
            }
            n++;
        }
        if (n != expected) {
            throw new BadStepException(RejectKind.WRONG_DIMENSION,
                    field + " has " + ReasonText.count(n, "number") + ", expected " + expected);
        }
        return values;
    }

    /** {@code target} under {@code mse}: an array of {@code outputSize} finite numbers. */
    static double[] readVectorTarget(JsonParser p, JsonToken t, int outputSize)
            throws IOException, BadStepException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new BadStepException(RejectKind.BAD_TARGET,
                    "target must be an array of " + ReasonText.count(outputSize, "number")
                            + " for mse, got " + ReasonText.describe(p, t)
                            + " (a class target needs an xent schema)");
        }
        return readNumbers(p, t, "target", outputSize);
    }

    /** {@code target} under {@code xent}: a JSON integer class in {@code [0, classes)}. */
    static int readClassTarget(JsonParser p, JsonToken t, int classes) throws IOException, BadStepException {
        switch (t) {
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.INT) {
                    int c = p.getIntValue();
                    if (c >= 0 && c < classes) {
                        return c;
                    }
                }
                throw new BadStepException(RejectKind.BAD_TARGET,
                        "target class " + ReasonText.literal(p.getText())
                                + " out of range [0, " + classes + ") for xent");
            }
            case VALUE_NUMBER_FLOAT -> throw new BadStepException(RejectKind.BAD_TARGET,
                    "target must be an integer class for xent, got " + ReasonText.describe(p, t));
            case START_ARRAY -> throw new BadStepException(RejectKind.BAD_TARGET,
                    "target must be an integer class in [0, " + classes
                            + ") for xent, got an array (a vector target needs an mse schema)");
            default -> throw wrongType(p, t, "\"target\" must be an integer class for xent");
        }
    }

    private static long readLong(JsonParser p, JsonToken t, String field, String what)
            throws IOException, BadStepException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(p, t, "\"" + field + "\" must be " + what);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new BadStepException(RejectKind.WRONG_TYPE,
                    "\"" + field + "\" " + ReasonText.literal(p.getText()) + " does not fit in a long");
        }
        return p.getLongValue();
    }

    private static BadStepException wrongType(JsonParser p, JsonToken t, String rule) throws IOException {
        return new BadStepException(RejectKind.WRONG_TYPE, rule + ", got " + ReasonText.describe(p, t));
    }

    private static BadStepException nonFinite(JsonParser p, String where, double v) throws IOException {
        String text = p.getText();
        boolean literal = text.chars().anyMatch(Character::isDigit);
        return new BadStepException(RejectKind.NON_FINITE, literal
                ? where + " is " + ReasonText.literal(text) + ", which overflows to " + v
                : where + " is " + v);
    }
}
