package dev.bptt.steps;

import java.util.Arrays;
import java.util.Objects;

/**
 * One time step of one sequence, as parsed from a step record.
 *
 * <p>Rules held by every instance: {@code key} and {@code input} are non-null, {@code step >= 0},
 * and at most one target form is set: {@code target} (the {@code mse} target vector) is null
 * unless an array target was given, {@code targetClass} is {@link #NO_CLASS} unless an {@code
 * xent} class was given. {@code time} is {@link #NO_TIME} when the record had no time.
 *
 * <p>Arrays are shared, not copied (this is a per-record stream element); treat them as
 * read-only. {@code equals}, {@code hashCode} and {@code toString} use the array contents.
 * {@code origin} says where the record came from (e.g. {@code topic/partition/offset}, or "") for
 * dead letters; it is not part of the step's identity and {@code equals} ignores it.
 */
public record SequenceStep(
        String key, long step, long time, double[] input, double[] target, int targetClass, boolean last,
        String origin) {

    /** {@code time} of a step whose record carried no time. */
    public static final long NO_TIME = Long.MIN_VALUE;

    /** {@code targetClass} of a step without an {@code xent} class target. */
    public static final int NO_CLASS = -1;

    /** A step with no known origin. */
    public SequenceStep(String key, long step, long time, double[] input, double[] target, int targetClass, boolean last) {
        this(key, step, time, input, target, targetClass, last, "");
    }

    /** The same step, read from {@code origin} (e.g. {@code topic/partition/offset}). */
    public SequenceStep withOrigin(String origin) {
        return new SequenceStep(key, step, time, input, target, targetClass, last, origin);
    }

    /** Checks the invariants listed on the type. */
    public SequenceStep {
        origin = origin == null ? "" : origin;
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (targetClass < NO_CLASS) {
            throw new IllegalArgumentException("targetClass must be >= 0 or NO_CLASS, got " + targetClass);
        }
        if (target != null && targetClass != NO_CLASS) {
            throw new IllegalArgumentException("a step has either an mse target or an xent class, not both");
        }
    }

    /** Whether this step carries a loss target (either form). */
    public boolean hasTarget() {
        return target != null || targetClass != NO_CLASS;
    }

    /** Whether this step carries an event time. */
    public boolean hasTime() {
        return time != NO_TIME;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof SequenceStep s
                        && step == s.step
                        && time == s.time
                        && targetClass == s.targetClass
                        && last == s.last
                        && key.equals(s.key)
                        && Arrays.equals(input, s.input)
                        && Arrays.equals(target, s.target);
    }

    @Override
    public int hashCode() {
        int h = key.hashCode();
        h = 31 * h + Long.hashCode(step);
        h = 31 * h + Long.hashCode(time);
        h = 31 * h + Arrays.hashCode(input);
        h = 31 * h + Arrays.hashCode(target);
        h = 31 * h + targetClass;
        return 31 * h + Boolean.hashCode(last);
    }

    @Override
    public String toString() {
        return "SequenceStep[key=" + key
                + ", step=" + step
                + ", time=" + (hasTime() ? Long.toString(time) : "none")
                + ", input=" + Arrays.toString(input)
                + ", target=" + Arrays.toString(target)
                + ", targetClass=" + targetClass
                + ", last=" + last + "]";
    }
}
