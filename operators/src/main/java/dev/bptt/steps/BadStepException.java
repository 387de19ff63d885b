package dev.bptt.steps;

import java.util.Objects;

/**
 * A step record broke a rule of the record format; carries the {@link RejectKind} and a one-line
 * reason naming the field and the values involved.
 *
 * <p>{@link #getMessage()} is {@code kind.code() + ": " + reason}, e.g. {@code wrong_dimension:
 * input has 3 numbers, expected 2}. Rejects are expected data, not bugs, so no stack trace is
 * captured (throwing one is cheap).
 */
public final class BadStepException extends Exception {

    private final RejectKind kind;
    private final String reason;

    /** A reject of the given kind; line breaks in {@code reason} are replaced by spaces. */
    public BadStepException(RejectKind kind, String reason) {
        this(kind, reason, null);
    }

    /** A reject of the given kind caused by {@code cause} (e.g. the JSON parser's error). */
    public BadStepException(RejectKind kind, String reason, Throwable cause) {
        super(message(kind, reason), cause, false, false);
        this.kind = kind;
        this.reason = ReasonText.singleLine(reason);
    }

    private static String message(RejectKind kind, String reason) {
        return Objects.requireNonNull(kind, "kind").code() + ": " + ReasonText.singleLine(reason);
    }

    /** Which rule was broken. */
    public RejectKind kind() {
        return kind;
    }

    /** The one-line detail without the kind prefix, e.g. {@code input has 3 numbers, expected 2}. */
    public String reason() {
        return reason;
    }
}
