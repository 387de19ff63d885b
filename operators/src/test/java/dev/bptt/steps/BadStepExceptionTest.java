package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Reject reasons: "code: detail" on one line; kind codes are the lower-case names. */
class BadStepExceptionTest {

    @Test
    void messageIsKindCodeThenReason() {
        BadStepException e = new BadStepException(RejectKind.WRONG_DIMENSION, "input has 3 numbers, expected 2");

        assertThat(e.kind()).isEqualTo(RejectKind.WRONG_DIMENSION);
        assertThat(e.reason()).isEqualTo("input has 3 numbers, expected 2");
        assertThat(e.getMessage()).isEqualTo("wrong_dimension: input has 3 numbers, expected 2");
    }

    @Test
    void reasonsAreForcedOntoOneLine() {
        BadStepException e = new BadStepException(RejectKind.LATE, "step 3\nat time 5\r\tlate");

        assertThat(e.reason()).isEqualTo("step 3 at time 5  late");
        assertThat(e.getMessage()).isEqualTo("late: step 3 at time 5  late");
    }

    @Test
    void rejectsCarryNoStackTraceButKeepTheirCause() {
        IllegalStateException cause = new IllegalStateException("x");
        BadStepException e = new BadStepException(RejectKind.MALFORMED_JSON, "bad", cause);

        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void everyKindCodeIsItsLowerCaseName() {
        assertThat(RejectKind.WRONG_DIMENSION.code()).isEqualTo("wrong_dimension");
        assertThat(RejectKind.STEP_OUT_OF_ORDER.code()).isEqualTo("step_out_of_order");
        assertThat(Arrays.stream(RejectKind.values()).map(RejectKind::code))
                .containsExactly("malformed_json", "missing_field", "wrong_type", "wrong_dimension", "non_finite",
                        "bad_target", "step_out_of_order", "duplicate_step", "time_decreasing", "late");
        for (RejectKind k : RejectKind.values()) {
            assertThat(k.code()).isEqualTo(k.name().toLowerCase(Locale.ROOT));
        }
    }
}
