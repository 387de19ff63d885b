package dev.bptt.flink;

import dev.bptt.model.StepRing;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link RingSlot} of a model with input I, state S and output O as its raw doubles plus
 * 12 bytes: version (8), target class (4), then x (I doubles), s_{t-1} (S doubles) and, only for
 * an mse target ({@link StepRing#VECTOR_TARGET}), the target (O doubles). The sizes live in the
 * serializer (and its snapshot), not in every value; a restore with other sizes is incompatible.
 * The slot's activations are not written (they spare a recompute, and a slot without them is
 * recomputed): a slot read back has none; a copy keeps them.
 */
public final class RingSlotSerializer extends TypeSerializer<RingSlot> {

    private static final long serialVersionUID = 1L;

    private final int inputSize;
    private final int stateSize;
    private final int outputSize;

    public RingSlotSerializer(int inputSize, int stateSize, int outputSize) {
        this.inputSize = inputSize;
        this.stateSize = stateSize;
        this.outputSize = outputSize;
    }

    @Override
    public boolean isImmutableType() {
        return false; // its arrays could be written to; copies are deep
    }

    @Override
    public TypeSerializer<RingSlot> duplicate() {
        return this; // stateless
    }

    @Override
    public RingSlot createInstance() {
        return new RingSlot(new double[inputSize + stateSize], StepRing.NO_TARGET, 0);
    }

    @Override
    public RingSlot copy(RingSlot from) {
        return new RingSlot(from.values().clone(), from.targetClass(), from.version(),
                from.activations() == null ? null : from.activations().clone());
    }

    @Override
    public RingSlot copy(RingSlot from, RingSlot reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1; // the target is written only when there is one
    }

    @Override
    public void serialize(RingSlot slot, DataOutputView out) throws IOException {
        out.writeLong(slot.version());
        out.writeInt(slot.targetClass());
        double[] values = slot.values();
        int length = doubles(slot.targetClass());
        if (values.length != length) {
            throw new IOException("ring slot of " + values.length + " values, expected " + length);
        }
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    @Override
    public RingSlot deserialize(DataInputView in) throws IOException {
        long version = in.readLong();
        int targetClass = in.readInt();
        double[] values = new double[doubles(targetClass)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
        }
        return new RingSlot(values, targetClass, version);
    }

    @Override
    public RingSlot deserialize(RingSlot reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** The doubles of a slot: I + S, plus O with an mse target. */
    private int doubles(int targetClass) {
        return inputSize + stateSize + (targetClass == StepRing.VECTOR_TARGET ? outputSize : 0);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        long version = source.readLong();
        int targetClass = source.readInt();
        target.writeLong(version);
        target.writeInt(targetClass);
        target.write(source, doubles(targetClass) * Double.BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RingSlotSerializer s
                && inputSize == s.inputSize && stateSize == s.stateSize && outputSize == s.outputSize;
    }

    @Override
    public int hashCode() {
        return (inputSize * 31 + stateSize) * 31 + outputSize;
    }

    @Override
    public TypeSerializerSnapshot<RingSlot> snapshotConfiguration() {
        return new Snapshot(inputSize, stateSize, outputSize);
    }

    /** The sizes I, S and O; a restore with the same sizes reads the old values as they are. */
    public static final class Snapshot implements TypeSerializerSnapshot<RingSlot> {

        private int inputSize;
        private int stateSize;
        private int outputSize;

        /** For reading a snapshot (Flink instantiates it by reflection). */
        public Snapshot() {}

        Snapshot(int inputSize, int stateSize, int outputSize) {
            this.inputSize = inputSize;
            this.stateSize = stateSize;
            this.outputSize = outputSize;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(inputSize);
            out.writeInt(stateSize);
            out.writeInt(outputSize);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            inputSize = in.readInt();
            stateSize = in.readInt();
            outputSize = in.readInt();
        }

        @Override
        public TypeSerializer<RingSlot> restoreSerializer() {
            return new RingSlotSerializer(inputSize, stateSize, outputSize);
        }

        @Override
        public TypeSerializerSchemaCompatibility<RingSlot> resolveSchemaCompatibility(
                TypeSerializerSnapshot<RingSlot> oldSnapshot) {
            return oldSnapshot instanceof Snapshot old && old.inputSize == inputSize && old.stateSize == stateSize
                    && old.outputSize == outputSize
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
