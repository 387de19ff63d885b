package dev.bptt.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.steps.SequenceStep;
import java.io.IOException;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The steps' wire format passes Flink's own serializer suite (round trips one by one and in
 * sequence, copies, serialized copies, snapshot and restore, duplicate, serializability), keeps
 * the origin that {@code equals} leaves out, and refuses bytes that are no step.
 */
class SequenceStepSerializerTest extends SerializerTestBase<SequenceStep> {

    @Override
    protected TypeSerializer<SequenceStep> createSerializer() {
        return SequenceStepSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<SequenceStep> getTypeClass() {
        return SequenceStep.class;
    }

    @Override
    protected SequenceStep[] getTestData() {
        return new SequenceStep[] {
            new SequenceStep("sensor-7", 3, 3000, new double[] {1, -2.5, Double.MIN_VALUE}, new double[] {0.5, -0.0},
                    SequenceStep.NO_CLASS, false),
            new SequenceStep("k", 0, SequenceStep.NO_TIME, new double[] {1}, null, 2, true, "steps/0/17"),
            new SequenceStep("ключ-\u00e9", Long.MAX_VALUE, Long.MIN_VALUE + 1, new double[] {Double.MAX_VALUE}, null,
                    SequenceStep.NO_CLASS, false),
            new SequenceStep("", 1, -5, new double[0], new double[0], SequenceStep.NO_CLASS, true),
        };
    }

    @Test
    void theOriginTravelsWithTheStep() throws IOException {
        SequenceStep step = new SequenceStep("k", 4, 10, new double[] {1, 2}, null, 0, false, "topic/3/99");
        DataOutputSerializer out = new DataOutputSerializer(64);
        SequenceStepSerializer.INSTANCE.serialize(step, out);

        SequenceStep back = SequenceStepSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).isEqualTo(step);
        assertThat(back.origin()).isEqualTo("topic/3/99");
    }

    @Test
    void bytesThatAreNoStepGiveAClearError() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SequenceStepSerializer.INSTANCE.serialize(
                new SequenceStep("k", 4, 10, new double[] {1}, null, SequenceStep.NO_CLASS, false), out);
        byte[] bytes = out.getCopyOfBuffer();
        // the input's length (after the key's 2 bytes, step, time, target class and last) made negative
        bytes[2 + 8 + 8 + 4 + 1] = (byte) 0x80;

        assertThatThrownBy(() -> SequenceStepSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt step record");
    }

    @Test
    void theTypeOfTheStepsStreamMakesThisSerializer() {
        assertThat(SequenceStepTypeInfo.INSTANCE.createSerializer(new ExecutionConfig().getSerializerConfig()))
                .isSameAs(SequenceStepSerializer.INSTANCE);
        assertThat(SequenceStepTypeInfo.INSTANCE.getTypeClass()).isEqualTo(SequenceStep.class);
    }
}
