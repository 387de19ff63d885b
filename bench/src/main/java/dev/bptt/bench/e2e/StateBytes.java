package dev.bptt.bench.e2e;

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
 * serializer Flink derives for its state descriptor (the job's three value states: ForwardStep's
 * {@code progress} ({@link KeyProgress}) and {@code state} (double[] s_{t-1}), TbpttBackward's
 * {@code ring} ({@link StepRing}, full: k2 entries)), plus each entry's RocksDB key (key-group
 * prefix, the serialized key, the void namespace). Compared with the ring's raw data,
 * {@code k2 x (I + S + O) x 8} bytes.
 */
public final class StateBytes {

    /** RocksDB key of one entry besides the serialized key: key-group prefix (1 byte at max parallelism <= 128) and namespace (1 byte). */
    static final int KEY_OVERHEAD = 2;

    private StateBytes() {}

    /** Bytes per entry, in the order: ring, state, progress, keys (3 entries). */
    public static Map<String, Long> perKey(ModelShape shape, int k2, String sampleKey) throws IOException {
        StepRing ring = StepRing.forShape(shape, k2);
        double[] x = new double[shape.inputSize()];
        double[] s = new double[shape.stateSize()];
        double[] y = new double[shape.outputSize()];
        for (int t = 0; t < k2; t++) {
            ring.push(x, 0, s, 0, y, 0, StepRing.NO_TARGET, t);
        }
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put("ring (TbpttBackward, StepRing)", size(StepRing.class, ring));
        bytes.put("state (ForwardStep, double[] s_{t-1})", size(double[].class, s));
        bytes.put("progress (ForwardStep, KeyProgress)", size(KeyProgress.class, new KeyProgress(k2 - 1, k2 * 1000L, false)));
        bytes.put("3 RocksDB keys (key-group, key, namespace)", 3 * (size(String.class, sampleKey) + KEY_OVERHEAD));
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
