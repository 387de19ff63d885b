package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Step objects are held to the rules the parser applies to records, with the same reasons. */
class StepChecksTest {

    private static final StepSchema MSE = new StepSchema(3, 2, false, true);
    private static final StepSchema XENT = new StepSchema(3, 4, true, false);
    private static final double[] X = {0.5, -1, 2};

    private static SequenceStep step(String key, long time, double[] input, double[] target, int targetClass) {
        return new SequenceStep(key, 4, time, input, target, targetClass, false);
    }

    /** The reason a record of the same step gets from the parser, or null when it parses. */
    private static void sameAsTheParser(StepSchema schema, SequenceStep s) {
        String record = StepJson.write(s);
        Throwable parsed = org.assertj.core.api.Assertions.catchThrowable(() -> new StepParser(schema).parse(record));
        if (parsed == null) {
            assertThatCode(() -> StepChecks.check(schema, s)).as(record).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> StepChecks.check(schema, s)).as(record).isInstanceOf(BadStepException.class)
                    .hasMessage(parsed.getMessage());
        }
    }

    @Test
    void validStepsPass() {
        sameAsTheParser(MSE, step("a", 10, X, new double[] {1, 2}, SequenceStep.NO_CLASS));
        sameAsTheParser(MSE, step("a", 10, X, null, SequenceStep.NO_CLASS));
        sameAsTheParser(XENT, step("a", SequenceStep.NO_TIME, X, null, 3));
    }

    @Test
    void brokenRulesGiveTheParsersReasons() {
        sameAsTheParser(MSE, step("", 10, X, null, SequenceStep.NO_CLASS));
        sameAsTheParser(MSE, step("a", 10, new double[] {1, 2}, null, SequenceStep.NO_CLASS));
        sameAsTheParser(MSE, step("a", 10, new double[] {1, 2, 3, 4}, null, SequenceStep.NO_CLASS));
        sameAsTheParser(MSE, step("a", 10, X, new double[] {1}, SequenceStep.NO_CLASS));
        sameAsTheParser(XENT, step("a", 10, X, null, 4));
        sameAsTheParser(XENT, step("a", 10, X, new double[] {1, 2, 3, 4}, SequenceStep.NO_CLASS));
    }

    @Test
    void nonFiniteNumbersAndAMissingTimeAreRejected() {
        assertThatThrownBy(() -> StepChecks.check(MSE, step("a", 10, new double[] {1, Double.NaN, 3}, null,
                SequenceStep.NO_CLASS))).hasMessage("non_finite: input[1] is NaN");
        assertThatThrownBy(() -> StepChecks.check(MSE, step("a", 10, X, new double[] {1, Double.POSITIVE_INFINITY},
                SequenceStep.NO_CLASS))).hasMessage("non_finite: target[1] is Infinity");
        assertThatThrownBy(() -> StepChecks.check(MSE, step("a", SequenceStep.NO_TIME, X, null, SequenceStep.NO_CLASS)))
                .hasMessageStartingWith("missing_field: \"time\" is required");
        assertThatThrownBy(() -> StepChecks.check(MSE, step("a", 10, X, null, 1)))
                .hasMessageStartingWith("bad_target: ");
    }
}
