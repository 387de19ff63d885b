package dev.bptt.bench.e2e;

import dev.bptt.flink.RingHead;
import dev.bptt.flink.RingSlot;
import dev.bptt.flink.RingSlotSerializer;
import dev.bptt.model.ModelShape;
import dev.bptt.model.StepRing;
import dev.bptt.steps.KeyProgress;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Bytes of one key's keyed state as the state backend stores it: each value serialized with the
 * serializer of its state descriptor (ForwardStep's value states {@code progress} ({@link
 * KeyProgress}) and {@code state} (double[] s_{t-1}); TbpttBackward's value state {@code ring-head}
 * ({@link RingHead}) and map state {@code ring-slots}, full: k2 entries of {@link RingSlot} with an
 * mse target), plus each entry's RocksDB key (key-group prefix, the serialized key, the void
 * namespace, and a map entry's slot index). Compared with the ring's raw data,
 * {@code k2 x (I + S + O) x 8} bytes.
 */
public final class StateBytes {

    /** RocksDB key of one entry besides the serialized key: key-group prefix (1 byte at max parallelism <= 128) and namespace (1 byte). */
    static final int KEY_OVERHEAD = 2;

    private StateBytes() {}

    /** Bytes per entry, in the order: ring slots, ring head, state, progress, keys (3 + k2 entries). */
    public static Map<String, Long> perKey(ModelShape shape, int k2, String sampleKey) throws IOException {
        double[] s = new double[shape.stateSize()];
        double[] slot = new double[shape.inputSize() + shape.stateSize() + shape.outputSize()];
        DataOutputSerializer out = new DataOutputSerializer(1024);
        new RingSlotSerializer(shape.inputSize(), shape.stateSize(), shape.outputSize())
                .serialize(new RingSlot(slot, StepRing.VECTOR_TARGET, k2), out);
        long key = size(String.class, sampleKey) + KEY_OVERHEAD;
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put("ring-slots (TbpttBackward, k2 x RingSlot)", (long) k2 * out.length());
        bytes.put("ring-head (TbpttBackward, RingHead)", size(RingHead.class, new RingHead(0, k2, k2)));
        bytes.put("state (ForwardStep, double[] s_{t-1})", size(double[].class, s));
        bytes.put("progress (ForwardStep, KeyProgress)", size(KeyProgress.class, new KeyProgress(k2 - 1, k2 * 1000L, false)));
        bytes.put("3 + k2 RocksDB keys (key-group, key, namespace; slot index)", 3 * key + k2 * (key + Integer.BYTES));
        return bytes;
    }

    /** Raw bytes of a full ring: k2 x (I + S + O) x 8. */
    public static long rawRing(ModelShape shape, int k2) {
        return StepRing.forShape(shape, k2).rawBytes();
    }

    private static <T> long size(Class<T> type, T value) throws IOException {
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(value, out);
        return out.length();
    }
}
