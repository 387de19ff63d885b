package dev.bptt.connectors.kafka;

import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.npz.Npz;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A parameter version as a record of the params topic: key = the model id, value = the version's
 * parameters as .npz bytes (the same bytes as a parameters file, CONTRACT.md §3), headers (UTF-8
 * decimal strings) {@code version}, {@code bucket_end} (last millisecond of the bucket whose
 * update made it, -1 for the end-of-input update) and {@code loss_mean} (loss sum / loss terms
 * of that update). Only updates are serialized (see {@link PublishedVersions}).
 */
public final class VersionSerializer implements KafkaRecordSerializationSchema<ParameterVersion> {

    public static final String VERSION = "version";
    public static final String BUCKET_END = "bucket_end";
    public static final String LOSS_MEAN = "loss_mean";

    private final String topic;
    private final String modelId;
    private final ModelShape shape;
    private final TrainingOptions options;

    public VersionSerializer(String topic, String modelId, ModelShape shape, TrainingOptions options) {
        this.topic = topic;
        this.modelId = modelId;
        this.shape = shape;
        this.options = options;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ParameterVersion v, KafkaSinkContext context, Long timestamp) {
        if (!v.isUpdate()) {
            throw new IllegalArgumentException("version message " + v.version() + " carries no parameters");
        }
        byte[] npz = Npz.toBytes(ParameterArrays.toArrays(Parameters.fromFlat(shape, v.params())));
        long bucketEnd = v.bucket() == GradientPartial.END_OF_INPUT ? -1 : options.bucketEnd(v.bucket());
        List<Header> headers = List.of(header(VERSION, Long.toString(v.version())),
                header(BUCKET_END, Long.toString(bucketEnd)),
                header(LOSS_MEAN, Double.toString(v.lossSum() / v.lossTerms())));
        return new ProducerRecord<>(topic, null, timestamp, modelId.getBytes(StandardCharsets.UTF_8), npz, headers);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
