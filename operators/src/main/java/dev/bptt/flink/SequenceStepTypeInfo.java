package dev.bptt.flink;

import dev.bptt.steps.SequenceStep;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of the parsed steps' stream, the one a {@code keyBy} sends over the network: serialized
 * by {@link SequenceStepSerializer}, not as a POJO. Give it where a step stream is made (the
 * parser's output); elsewhere {@code TypeInformation.of(SequenceStep.class)} still gives the POJO
 * type, which is what the steps held in state use.
 */
public final class SequenceStepTypeInfo extends TypeInformation<SequenceStep> {

    private static final long serialVersionUID = 1L;

    /** The type (stateless). */
    public static final SequenceStepTypeInfo INSTANCE = new SequenceStepTypeInfo();

    private SequenceStepTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<SequenceStep> getTypeClass() {
        return SequenceStep.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<SequenceStep> createSerializer(SerializerConfig config) {
        return SequenceStepSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "SequenceStep";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceStepTypeInfo;
    }

    @Override
    public int hashCode() {
        return SequenceStepTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SequenceStepTypeInfo;
    }
}
