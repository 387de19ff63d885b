package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link StepSchema} sizes and loss naming. */
class StepSchemaTest {

    @Test
    void sizesBelowOneAreRejected() {
        assertThatThrownBy(() -> new StepSchema(0, 1, false, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputSize must be >= 1, got 0");
        assertThatThrownBy(() -> new StepSchema(1, -3, true, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outputSize must be >= 1, got -3");
    }

    @Test
    void classTargetsMeanXentOtherwiseMse() {
        assertThat(new StepSchema(1, 1, true, false).lossName()).isEqualTo("xent");
        assertThat(new StepSchema(1, 1, false, true).lossName()).isEqualTo("mse");
    }

    @Test
    void aParserKeepsItsSchema() {
        StepSchema schema = new StepSchema(3, 2, false, true);

        assertThat(new StepParser(schema).schema()).isSameAs(schema);
        assertThatThrownBy(() -> new StepParser(null)).isInstanceOf(NullPointerException.class);
    }
}
