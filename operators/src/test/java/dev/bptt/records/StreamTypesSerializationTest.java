package dev.bptt.records;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.flink.ClosedWindow;
import dev.bptt.flink.ParameterUpdate;
import dev.bptt.flink.PendingStep;
import dev.bptt.model.OptimizerState;
import dev.bptt.model.StepRing;
import dev.bptt.steps.KeyProgress;
import dev.bptt.steps.SequenceStep;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type on the job's streams and in its state is a Flink POJO (evolvable, no Kryo), and
 * round-trips through its serializer with generic types disabled, nulls included.
 */
class StreamTypesSerializationTest {

    static Stream<Object> values() {
        StepRing ring = new StepRing(3, 2, 4, 1);
        ring.push(new double[] {1, 2}, 0, new double[] {0.1, 0.2, 0.3, 0.4}, 0, new double[] {5}, 0, -2, 7);
        return Stream.of(
                new SequenceStep("k", 3, 1000, new double[] {1, -2}, new double[] {0.5}, SequenceStep.NO_CLASS, true),
                new SequenceStep("k", 0, SequenceStep.NO_TIME, new double[] {1}, null, 2, false, "steps/0/1"),
                new TrainingStep("k", 1, 10, 0, new double[] {1}, new double[] {0, 1}, null, 1, false, 4),
                new TrainingStep("k", 2, 20, 0, new double[] {1}, new double[] {0, 1}, new double[] {2}, -1, false, 4,
                        new double[] {0.5, 0.25, 0.125, 1}),
                TrainingStep.expiry("k", 10, 0),
                new Prediction("k", 1, 10, new double[] {0.25}, 3),
                new DeadLetter("late: x", "{\"key\":1}", false, "steps/0/3"),
                new RawStep(new byte[] {1, 2, (byte) 0xff}, "steps/1/9"),
                new GradientPartial(5, 1, new double[] {1, 2, 3}, 0.5, 2, 1, 7, 3),
                new ParameterVersion(4, 9, 9, new double[] {1, 2}, 0.5, 3, 0.1, 7, 1),
                new ParameterVersion(4, 12, -1, null, 0, 0, Double.NaN, 0, 0),
                new PendingStep(3, new SequenceStep("k", 0, 300, new double[] {1}, null, -1, false), null, 0),
                new PendingStep(3, null, "k", 350),
                new ClosedWindow(3, "k", ring),
                new KeyProgress(4, 1000, false),
                ring,
                new OptimizerState(3, new double[] {1, 2}, null),
                new ParameterUpdate.UpdateState(2, 9, new double[] {1, 2}, new OptimizerState(1, null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void isAPojoAndRoundTrips(Object value) throws Exception {
        @SuppressWarnings("unchecked")
        TypeInformation<Object> type = (TypeInformation<Object>) TypeInformation.of(value.getClass());
        assertThat(type).as("%s must be a POJO, not a Kryo fallback", value.getClass().getSimpleName())
                .isInstanceOf(PojoTypeInfo.class);
        Object back = roundTrip(type, value);
        assertThat(back).usingRecursiveComparison()
                .withComparatorForType(Double::compare, Double.class) // exact, NaN equals NaN
                .isEqualTo(value);
    }

    /**
     * A ring's kept activations are not part of its persistent form (a closed window in operator
     * state): they serialize away, the rest round-trips.
     */
    @org.junit.jupiter.api.Test
    void aRingsKeptActivationsAreLeftOut() throws Exception {
        StepRing ring = new StepRing(3, 2, 4, 1);
        int slot = ring.push(new double[] {1, 2}, 0, new double[] {0.1, 0.2, 0.3, 0.4}, 0, null, 0, 0, 7);
        ring.keepActivations(slot, new double[] {9, 8, 7}, 0, 3);
        StepRing back = roundTrip(TypeInformation.of(ClosedWindow.class), new ClosedWindow(3, "k", ring)).ring();

        assertThat(back).isEqualTo(ring);
        assertThat(back.activations).isNull();
        assertThat(back.hasActivations(slot, 3)).isFalse();
        assertThat(ring.hasActivations(slot, 3)).isTrue();
    }

    /** {@code value} serialized and read back with its type's serializer, generic types disabled. */
    private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
        ExecutionConfig config = new ExecutionConfig();
        ((SerializerConfigImpl) config.getSerializerConfig()).setGenericTypes(false);
        TypeSerializer<T> serializer = type.createSerializer(config.getSerializerConfig());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
