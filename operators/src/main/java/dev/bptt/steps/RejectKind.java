package dev.bptt.steps;

import java.util.Locale;

/**
 * Why a step record was rejected; each kind names one broken rule of the record format.
 *
 * <p>{@link #code()} is the stable lower-case name used in reject reasons, metrics and logs.
 */
public enum RejectKind {
    /**
     * Not one well-formed JSON object: syntax error, bytes that are not UTF-8, duplicate field
     * names, a top level that is not an object, or content after the object.
     */
    MALFORMED_JSON,
    /** A required field ({@code key}, {@code step}, {@code input}, or a required {@code time}) is absent. */
    MISSING_FIELD,
    /**
     * A field has the wrong JSON type or lies outside its domain: e.g. a string or fraction as
     * {@code step}, a negative step, an integer that does not fit in a long, an empty key.
     */
    WRONG_TYPE,
    /** An {@code input} or {@code mse} target array does not have the length the schema asks for. */
    WRONG_DIMENSION,
    /** A number is NaN or infinite, or overflows a double (e.g. {@code 1e400}). */
    NON_FINITE,
    /**
     * The target does not fit the loss: an array for {@code xent} or a number for {@code mse},
     * a class that is not an integer, or a class outside {@code [0, outputSize)}.
     */
    BAD_TARGET,
    /** A step skips ahead, goes back, or restarts at 0 without a preceding {@code last}. */
    STEP_OUT_OF_ORDER,
    /** The step number just seen for a key arrives again. */
    DUPLICATE_STEP,
    /** The event time of a key goes backwards (also across a {@code last} / restart). */
    TIME_DECREASING,
    /** The step arrived after the event-time watermark had passed it. */
    LATE;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** The lower-case name, e.g. {@code "wrong_dimension"}. */
    public String code() {
        return code;
    }
}
