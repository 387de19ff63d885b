package dev.bptt.steps;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records that follow the format parse into the expected {@link SequenceStep}. */
class StepParserTest {

    private static final String CONTRACT_EXAMPLE =
            "{\"key\":\"sensor-7\",\"step\":0,\"time\":1700000000000,\"input\":[0.1,-2.0],\"target\":[0.5],\"last\":false}";

    private final StepParser mse = new StepParser(new StepSchema(2, 1, false, true));
    private final StepParser xent = new StepParser(new StepSchema(2, 3, true, true));
    private final StepParser untimed = new StepParser(new StepSchema(2, 1, false, false));

    @Test
    void contractExampleParses() throws BadStepException {
        SequenceStep s = mse.parse(CONTRACT_EXAMPLE);

        assertThat(s).isEqualTo(new SequenceStep(
                "sensor-7", 0, 1_700_000_000_000L, new double[] {0.1, -2.0}, new double[] {0.5},
                SequenceStep.NO_CLASS, false));
        assertThat(s.hasTarget()).isTrue();
        assertThat(s.hasTime()).isTrue();
    }

    @Test
    void contractExampleParsesFromUtf8BytesInsideALargerBuffer() throws BadStepException {
        byte[] record = CONTRACT_EXAMPLE.getBytes(UTF_8);
        byte[] buffer = new byte[record.length + 10];
        Arrays.fill(buffer, (byte) 0xFF); // not UTF-8, but outside the slice
        System.arraycopy(record, 0, buffer, 4, record.length);

        assertThat(mse.parse(buffer, 4, record.length)).isEqualTo(mse.parse(CONTRACT_EXAMPLE));
    }

    @Test
    void fieldOrderDoesNotMatterAndUnknownFieldsAreIgnored() throws BadStepException {
        SequenceStep s = mse.parse("{\"last\":true,\"meta\":{\"a\":[1,{\"b\":null}],\"step\":\"x\"},"
                + "\"input\":[1,2],\"extra\":\"NaN\",\"time\":5,\"step\":7,\"key\":\"k\",\"more\":[[]]}");

        assertThat(s).isEqualTo(new SequenceStep("k", 7, 5, new double[] {1, 2}, null, SequenceStep.NO_CLASS, true));
    }

    @Test
    void integerTokensAreAcceptedAsInputNumbers() throws BadStepException {
        assertThat(mse.parse("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,-2]}").input())
                .containsExactly(1.0, -2.0);
    }

    @Test
    void absentTargetMeansNoLossAtThisStep() throws BadStepException {
        SequenceStep s = mse.parse("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2]}");

        assertThat(s.hasTarget()).isFalse();
        assertThat(s.target()).isNull();
        assertThat(s.targetClass()).isEqualTo(SequenceStep.NO_CLASS);
    }

    @Test
    void nullTargetMeansNoLossAtThisStepForBothLosses() throws BadStepException {
        String json = "{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2],\"target\":null}";

        assertThat(mse.parse(json).hasTarget()).isFalse();
        assertThat(xent.parse(json).hasTarget()).isFalse();
    }

    @Test
    void xentSchemaReadsAnIntegerClassTarget() throws BadStepException {
        SequenceStep s = xent.parse("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2],\"target\":2}");

        assertThat(s.targetClass()).isEqualTo(2);
        assertThat(s.target()).isNull();
        assertThat(s.hasTarget()).isTrue();
    }

    @Test
    void xentClassZeroIsATarget() throws BadStepException {
        SequenceStep s = xent.parse("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2],\"target\":0}");

        assertThat(s.targetClass()).isZero();
        assertThat(s.hasTarget()).isTrue();
    }

    @Test
    void mseSchemaReadsAVectorTarget() throws BadStepException {
        StepParser wide = new StepParser(new StepSchema(1, 3, false, false));

        SequenceStep s = wide.parse("{\"key\":\"a\",\"step\":0,\"input\":[1],\"target\":[1,2.5,-3e-2]}");

        assertThat(s.target()).containsExactly(1.0, 2.5, -0.03);
        assertThat(s.targetClass()).isEqualTo(SequenceStep.NO_CLASS);
    }

    @Test
    void lastIsFalseWhenAbsentOrNullAndTrueWhenTrue() throws BadStepException {
        String base = "{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2]";

        assertThat(mse.parse(base + "}").last()).isFalse();
        assertThat(mse.parse(base + ",\"last\":null}").last()).isFalse();
        assertThat(mse.parse(base + ",\"last\":false}").last()).isFalse();
        assertThat(mse.parse(base + ",\"last\":true}").last()).isTrue();
    }

    @Test
    void timeIsOptionalWhenTheSchemaDoesNotRequireIt() throws BadStepException {
        SequenceStep absent = untimed.parse("{\"key\":\"a\",\"step\":0,\"input\":[1,2]}");
        SequenceStep isNull = untimed.parse("{\"key\":\"a\",\"step\":0,\"time\":null,\"input\":[1,2]}");

        assertThat(absent.hasTime()).isFalse();
        assertThat(absent.time()).isEqualTo(SequenceStep.NO_TIME);
        assertThat(isNull.hasTime()).isFalse();
        assertThat(untimed.parse("{\"key\":\"a\",\"step\":0,\"time\":42,\"input\":[1,2]}").time()).isEqualTo(42);
    }

    @Test
    void timeBeforeTheEpochIsAccepted() throws BadStepException {
        assertThat(mse.parse("{\"key\":\"a\",\"step\":0,\"time\":-5,\"input\":[1,2]}").time()).isEqualTo(-5);
    }

    @Test
    void stepUpToLongMaxIsAccepted() throws BadStepException {
        assertThat(mse.parse("{\"key\":\"a\",\"step\":9223372036854775807,\"time\":1,\"input\":[1,2]}").step())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void surroundingWhitespaceAndATrailingNewlineAreAccepted() throws BadStepException {
        assertThat(mse.parse(" \t{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2]}\r\n").key()).isEqualTo("a");
    }

    @Test
    void escapedAndNonAsciiKeysSurviveTextAndBytes() throws BadStepException {
        String json = "{\"key\":\"s\\u00f6r \\\"7\\\" \u2713 \uD834\uDD1E\",\"step\":0,\"time\":1,\"input\":[1,2]}";

        assertThat(mse.parse(json).key()).isEqualTo("s\u00f6r \"7\" \u2713 \uD834\uDD1E");
        byte[] bytes = json.getBytes(UTF_8);
        assertThat(mse.parse(bytes, 0, bytes.length)).isEqualTo(mse.parse(json));
    }

    @Test
    void writtenRecordsParseBackToEqualSteps() throws BadStepException {
        List<SequenceStep> steps = List.of(
                new SequenceStep("a", 0, 1_700_000_000_000L, new double[] {0.1, -2.0}, new double[] {0.5},
                        SequenceStep.NO_CLASS, false),
                new SequenceStep("a", 1, 1_700_000_000_001L, new double[] {Double.MIN_VALUE, -Double.MAX_VALUE},
                        null, SequenceStep.NO_CLASS, true),
                new SequenceStep("b/\u00e9", 12, SequenceStep.NO_TIME, new double[] {1e-300, 3.141592653589793},
                        new double[] {-0.0}, SequenceStep.NO_CLASS, false));
        StepParser anyTime = untimed;

        for (SequenceStep s : steps) {
            String json = StepJson.write(s);
            assertThat(anyTime.parse(json)).as(json).isEqualTo(s).hasSameHashCodeAs(s);
            byte[] bytes = json.getBytes(UTF_8);
            assertThat(anyTime.parse(bytes, 0, bytes.length)).as(json).isEqualTo(s);
        }
    }

    @Test
    void writtenClassTargetRecordsParseBackToEqualSteps() throws BadStepException {
        SequenceStep s = new SequenceStep("c", 3, 9, new double[] {1, 2}, null, 1, true);

        assertThat(xent.parse(StepJson.write(s))).isEqualTo(s);
    }

    @Test
    void aVeryLongInputArrayOfTheRightSizeParses() throws BadStepException {
        int size = 100_000;
        double[] input = new double[size];
        for (int i = 0; i < size; i++) {
            input[i] = i * 0.5 - 7;
        }
        SequenceStep s = new SequenceStep("long", 0, 1, input, new double[] {1}, SequenceStep.NO_CLASS, false);

        StepParser wide = new StepParser(new StepSchema(size, 1, false, true));

        assertThat(wide.parse(StepJson.write(s))).isEqualTo(s);
    }

    @Test
    void tinyNumbersUnderflowToZeroAndAreAccepted() throws BadStepException {
        assertThat(mse.parse("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1e-400,-1e-400]}").input())
                .containsExactly(0.0, -0.0);
    }

    @Test
    void oneParserIsReusableAcrossRecords() throws BadStepException {
        for (int i = 0; i < 1000; i++) {
            assertThat(mse.parse("{\"key\":\"a\",\"step\":" + i + ",\"time\":" + i + ",\"input\":[1,2]}").step())
                    .isEqualTo(i);
        }
    }
}
