package dev.bptt.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.model.StepRing;
import dev.bptt.records.TrainingStep;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * A ring slot's bytes (what savepoints and RocksDB hold) are version, target class, x, s_{t-1}
 * and the mse target only when there is one, whatever the slot's layout in memory; a slot read
 * back writes the same ring slot as the step it was made of.
 */
class RingSlotSerializerTest {

    private static final RingSlotSerializer SERIALIZER = new RingSlotSerializer(2, 3, 1);

    private static TrainingStep step(double[] target, int targetClass) {
        return new TrainingStep("k", 4, 40, 0, new double[] {1, 2}, new double[] {0.5, -0.5, 0.25}, target,
                targetClass, false, 7, new double[] {9, 9});
    }

    @Test
    void bytesAreVersionTargetClassInputStateAndTheMseTarget() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(RingSlot.of(step(new double[] {3}, StepRing.NO_TARGET)), out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(in.readLong()).isEqualTo(7);
        assertThat(in.readInt()).isEqualTo(StepRing.VECTOR_TARGET);
        double[] doubles = new double[6];
        for (int i = 0; i < doubles.length; i++) {
            doubles[i] = in.readDouble();
        }
        assertThat(doubles).containsExactly(1, 2, 0.5, -0.5, 0.25, 3);
        assertThat(in.available()).isZero();

        out.clear();
        SERIALIZER.serialize(RingSlot.of(step(null, 0)), out);
        assertThat(out.length()).as("xent class: no target doubles").isEqualTo(8 + 4 + 5 * 8);
    }

    @Test
    void aSlotReadBackWritesTheStepsRingSlotWithoutItsActivations() throws IOException {
        for (TrainingStep step : new TrainingStep[] {step(new double[] {3}, StepRing.NO_TARGET), step(null, 0),
                step(null, StepRing.NO_TARGET)}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            SERIALIZER.serialize(RingSlot.of(step), out);
            RingSlot back = SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back.activations()).isNull();

            StepRing expected = new StepRing(4, 2, 3, 1);
            int slot = expected.push(step.input(), 0, step.statePrev(), 0, step.target(), 0, step.targetClass(),
                    step.version());
            StepRing actual = new StepRing(4, 2, 3, 1);
            back.writeTo(actual, slot);
            actual.size = expected.size;
            actual.next = expected.next;
            actual.pendingLoss = expected.pendingLoss;
            assertThat(actual).isEqualTo(expected);

            RingSlot copy = SERIALIZER.copy(RingSlot.of(step));
            assertThat(copy.activations()).containsExactly(9, 9);
        }
    }

    @Test
    void aSlotOfTheWrongSizeIsRefused() {
        RingSlot wrong = new RingSlot(new double[4], StepRing.NO_TARGET, 1);
        assertThatThrownBy(() -> SERIALIZER.serialize(wrong, new DataOutputSerializer(64)))
                .hasMessageContaining("ring slot of 4 values, expected 5");
    }
}
