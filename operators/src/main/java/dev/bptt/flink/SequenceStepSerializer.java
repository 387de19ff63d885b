package dev.bptt.flink;

import dev.bptt.steps.SequenceStep;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A {@link SequenceStep} on the wire from the parser to the forward operators (the {@code keyBy}
 * edge, {@link SequenceStepTypeInfo}), field by field with no reflection: key, step, time,
 * target class (4 bytes), last (1), the input as its length and doubles, the target as its length
 * (-1 for none) and doubles, then the origin. Flink's {@code PojoSerializer} had taken a third of
 * the source thread's samples here, a quarter of them reflective field reads, and made each step
 * again by reflection on the forward threads. Where a step sits in state ({@link PendingStep}) it
 * stays a POJO, so the state's format and its schema evolution are unchanged.
 */
public final class SequenceStepSerializer extends TypeSerializerSingleton<SequenceStep> {

    private static final long serialVersionUID = 1L;

    /** The serializer (stateless). */
    public static final SequenceStepSerializer INSTANCE = new SequenceStepSerializer();

    private static final int NO_TARGET = -1;

    private SequenceStepSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false; // its arrays could be written to
    }

    @Override
    public SequenceStep createInstance() {
        return new SequenceStep("", 0, SequenceStep.NO_TIME, new double[0], null, SequenceStep.NO_CLASS, false);
    }

    @Override
    public SequenceStep copy(SequenceStep from) {
        return new SequenceStep(from.key(), from.step(), from.time(), from.input().clone(),
                from.target() == null ? null : from.target().clone(), from.targetClass(), from.last(), from.origin());
    }

    @Override
    public SequenceStep copy(SequenceStep from, SequenceStep reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SequenceStep step, DataOutputView out) throws IOException {
        StringValue.writeString(step.key(), out);
        out.writeLong(step.step());
        out.writeLong(step.time());
        out.writeInt(step.targetClass());
        out.writeBoolean(step.last());
        writeDoubles(step.input(), out);
        if (step.target() == null) {
            out.writeInt(NO_TARGET);
        } else {
            writeDoubles(step.target(), out);
        }
        StringValue.writeString(step.origin(), out);
    }

    @Override
    public SequenceStep deserialize(DataInputView in) throws IOException {
        String key = StringValue.readString(in);
        long step = in.readLong();
        long time = in.readLong();
        int targetClass = in.readInt();
        boolean last = in.readBoolean();
        double[] input = readDoubles(in.readInt(), in);
        int targetLength = in.readInt();
        double[] target = targetLength == NO_TARGET ? null : readDoubles(targetLength, in);
        String origin = StringValue.readString(in);
        try {
            return new SequenceStep(key, step, time, input, target, targetClass, last, origin);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt step record on the wire: " + e.getMessage(), e);
        }
    }

    @Override
    public SequenceStep deserialize(SequenceStep reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
        target.write(source, 2 * Long.BYTES + Integer.BYTES + 1);
        copyDoubles(source.readInt(), source, target);
        copyDoubles(source.readInt(), source, target);
        StringValue.copyString(source, target);
    }

    private static void writeDoubles(double[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readDoubles(int length, DataInputView in) throws IOException {
        if (length < 0) {
            throw new IOException("corrupt step record on the wire: an array of length " + length);
        }
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    /** Copies a length written by {@link #writeDoubles} (or {@link #NO_TARGET}) and its doubles. */
    private static void copyDoubles(int length, DataInputView source, DataOutputView target) throws IOException {
        target.writeInt(length);
        if (length > 0) {
            target.write(source, length * Double.BYTES);
        }
    }

    @Override
    public TypeSerializerSnapshot<SequenceStep> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format has no parameters: a restore reads it as it is. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SequenceStep> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
