package dev.bptt.connectors.kafka;

import dev.bptt.records.ParameterVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Loop messages (every {@link ParameterVersion} ParameterUpdate sends to the forward operators:
 * updates with their parameters and progress marks without) as records of the loop topic: key =
 * the model id, value = the message's fields in binary (big-endian, doubles exactly), so a
 * version read back is bit for bit the one sent. The topic is internal to training: its records
 * repeat after restores, and the forward operators take each message once.
 */
public final class LoopRecords implements KafkaRecordSerializationSchema<ParameterVersion> {

    /** Format version, first byte of every value. */
    private static final byte FORMAT = 1;

    private final String topic;
    private final String modelId;

    public LoopRecords(String topic, String modelId) {
        this.topic = topic;
        this.modelId = modelId;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ParameterVersion m, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, KafkaConnectors.WRITE_TIME, modelId.getBytes(StandardCharsets.UTF_8), encode(m));
    }

    /** The value of a loop record. */
    public static byte[] encode(ParameterVersion m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (m.params() == null ? 0 : 8 * m.params().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(m.version());
            out.writeLong(m.completedThrough());
            out.writeLong(m.bucket());
            out.writeDouble(m.lossSum());
            out.writeLong(m.lossTerms());
            out.writeDouble(m.gradNorm());
            out.writeLong(m.steps());
            out.writeLong(m.staleness());
            out.writeInt(m.params() == null ? -1 : m.params().length);
            if (m.params() != null) {
                for (double p : m.params()) {
                    out.writeDouble(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The message of a loop record's value.
     *
     * @throws IllegalArgumentException when the bytes are not a loop record
     */
    public static ParameterVersion decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("loop record of format " + format + ", expected " + FORMAT);
            }
            long version = in.readLong();
            long completedThrough = in.readLong();
            long bucket = in.readLong();
            double lossSum = in.readDouble();
            long lossTerms = in.readLong();
            double gradNorm = in.readDouble();
            long steps = in.readLong();
            long staleness = in.readLong();
            int n = in.readInt();
            double[] params = null;
            if (n >= 0) {
                params = new double[n];
                for (int i = 0; i < n; i++) {
                    params[i] = in.readDouble();
                }
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException("loop record with " + in.available() + " bytes too many");
            }
            return new ParameterVersion(version, completedThrough, bucket, params, lossSum, lossTerms, gradNorm, steps,
                    staleness);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated loop record of " + value.length + " bytes", e);
        }
    }
}
