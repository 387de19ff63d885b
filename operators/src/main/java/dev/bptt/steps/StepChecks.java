package dev.bptt.steps;

/**
 * The rules of a step record (CONTRACT.md §2) for steps that arrive as objects rather than text
 * (a source that builds {@link SequenceStep}s itself): the same checks {@link StepParser} makes
 * while reading JSON, with the same reject kinds and reasons. Plain Java.
 */
public final class StepChecks {

    private StepChecks() {}

    /**
     * Checks {@code step} against {@code schema}: a non-empty key, a time when the schema requires
     * one, {@code inputSize} finite inputs, and a target of the schema's form (an
     * {@code outputSize} vector of finite numbers for mse, a class in {@code [0, outputSize)} for
     * xent) or none.
     *
     * @throws BadStepException naming the first rule broken
     */
    public static void check(StepSchema schema, SequenceStep step) throws BadStepException {
        if (step.key().isEmpty()) {
            throw new BadStepException(RejectKind.WRONG_TYPE, "\"key\" must be a non-empty string, got \"\"");
        }
        if (!step.hasTime() && schema.timeRequired()) {
            throw new BadStepException(RejectKind.MISSING_FIELD, "\"time\" is required by the schema (event time, epoch ms)");
        }
        numbers(step.input(), "input", schema.inputSize());
        if (schema.classTargets()) {
            if (step.target() != null) {
                throw new BadStepException(RejectKind.BAD_TARGET, "target must be an integer class in [0, "
                        + schema.outputSize() + ") for xent, got an array (a vector target needs an mse schema)");
            }
            if (step.targetClass() >= schema.outputSize()) {
                throw new BadStepException(RejectKind.BAD_TARGET, "target class " + step.targetClass()
                        + " out of range [0, " + schema.outputSize() + ") for xent");
            }
        } else {
            if (step.targetClass() != SequenceStep.NO_CLASS) {
                throw new BadStepException(RejectKind.BAD_TARGET, "target must be an array of "
                        + ReasonText.count(schema.outputSize(), "number") + " for mse, got class " + step.targetClass()
                        + " (a class target needs an xent schema)");
            }
            if (step.target() != null) {
                numbers(step.target(), "target", schema.outputSize());
            }
        }
    }

    /** {@code values}: exactly {@code expected} finite numbers. */
    private static void numbers(double[] values, String field, int expected) throws BadStepException {
        if (values.length != expected) {
            throw new BadStepException(RejectKind.WRONG_DIMENSION,
                    field + " has " + ReasonText.count(values.length, "number") + ", expected " + expected);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new BadStepException(RejectKind.NON_FINITE, field + "[" + i + "] is " + values[i]);
            }
        }
    }
}
