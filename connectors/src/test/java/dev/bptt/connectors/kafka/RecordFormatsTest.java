package dev.bptt.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.npz.Npz;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.Prediction;
import dev.bptt.records.RawStep;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The record formats of the Kafka topics (README, "Online learning from Kafka"). */
class RecordFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelShape SHAPE = new ModelShape(CellKind.LSTM, 2, 3, 2);
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 2, 4, OptimizerKind.SGD, 0.1, 0, 0,
            Reduction.MEAN, 1000, 0);

    @Test
    void aStepRecordKeepsItsBytesAndWhereItWasRead() throws Exception {
        byte[] value = {'{', (byte) 0xff, '}'};
        List<RawStep> out = new ArrayList<>();
        new StepRecordDeserializer().deserialize(new ConsumerRecord<>("steps", 2, 41L, "k".getBytes(), value),
                new org.apache.flink.api.common.functions.util.ListCollector<>(out));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).value()).isEqualTo(value);
        assertThat(out.get(0).origin()).isEqualTo("steps/2/41");
    }

    @Test
    void aVersionIsItsNpzKeyedByModelWithHeaders() throws Exception {
        Parameters p = ParameterInit.uniform(SHAPE, 9);
        ProducerRecord<byte[], byte[]> r = new VersionSerializer("params", "m-1", SHAPE, OPTIONS)
                .serialize(new ParameterVersion(7, 41, 41, p.toFlat(), 3.0, 4, 0.5, 10, 0), null, null);
        assertThat(r.topic()).isEqualTo("params");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("m-1");
        assertThat(r.value()).isEqualTo(Npz.toBytes(ParameterArrays.toArrays(p)));
        assertThat(ParameterArrays.fromArrays(Npz.read(r.value())).toFlat()).isEqualTo(p.toFlat());
        assertThat(header(r, "version")).isEqualTo("7");
        assertThat(header(r, "bucket_end")).isEqualTo("41999");
        assertThat(header(r, "loss_mean")).isEqualTo("0.75");
    }

    @Test
    void theEndOfInputVersionHasBucketEndMinusOne() {
        Parameters p = ParameterInit.uniform(SHAPE, 9);
        ProducerRecord<byte[], byte[]> r = new VersionSerializer("params", "m", SHAPE, OPTIONS).serialize(
                new ParameterVersion(8, GradientPartial.END_OF_INPUT, GradientPartial.END_OF_INPUT, p.toFlat(), 1, 1, 0,
                        0, 0), null, null);
        assertThat(header(r, "bucket_end")).isEqualTo("-1");
    }

    @Test
    void aProgressMessageIsNotAVersion() {
        VersionSerializer serializer = new VersionSerializer("params", "m", SHAPE, OPTIONS);
        assertThatThrownBy(() -> serializer.serialize(new ParameterVersion(3, 5, -1, null, 0, 0, Double.NaN, 0, 0), null,
                null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPredictionIsJsonKeyedBySequence() throws Exception {
        ProducerRecord<byte[], byte[]> r = new PredictionSerializer("predictions").serialize(
                new Prediction("sensor-7", 3, 1_700_000_000_300L, new double[] {0.25, -1e-300}, 2), null, 5L);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("sensor-7");
        assertThat(r.timestamp()).isEqualTo(5L);
        JsonNode p = JSON.readTree(r.value());
        assertThat(fieldNames(p)).containsExactly("key", "step", "time", "prediction", "version");
        assertThat(p.get("key").asText()).isEqualTo("sensor-7");
        assertThat(p.get("step").asLong()).isEqualTo(3);
        assertThat(p.get("time").asLong()).isEqualTo(1_700_000_000_300L);
        assertThat(p.get("prediction").get(0).asDouble()).isEqualTo(0.25);
        assertThat(p.get("prediction").get(1).asDouble()).isEqualTo(-1e-300);
        assertThat(p.get("version").asLong()).isEqualTo(2);
    }

    @Test
    void aDeadLetterKeepsTheRecordTextAndWhereItWasRead() throws Exception {
        String record = "{\"key\":\"a\",\"step\":\"x\"} \u00e9 \"quoted\"";
        JsonNode d = JSON.readTree(DeadLetterSerializer.value(new DeadLetter("wrong_type: step", record, false,
                "steps/0/17")));
        assertThat(fieldNames(d)).containsExactly("reason", "record", "topic", "partition", "offset");
        assertThat(d.get("reason").asText()).isEqualTo("wrong_type: step");
        assertThat(d.get("record").asText()).isEqualTo(record);
        assertThat(d.get("topic").asText()).isEqualTo("steps");
        assertThat(d.get("partition").asInt()).isZero();
        assertThat(d.get("offset").asLong()).isEqualTo(17);
    }

    @Test
    void aDeadLetterOfBytesThatAreNotUtf8IsMarkedBase64() throws Exception {
        JsonNode d = JSON.readTree(DeadLetterSerializer.value(new DeadLetter("malformed_json: invalid UTF-8", "/w==",
                true, "steps/1/2")));
        assertThat(d.get("encoding").asText()).isEqualTo("base64");
        assertThat(d.get("record").asText()).isEqualTo("/w==");
    }

    @Test
    void aDeadLetterOfUnknownOriginHasNullTopicAndMinusOnes() throws Exception {
        JsonNode d = JSON.readTree(DeadLetterSerializer.value(new DeadLetter("late: x", "{}", false, "")));
        assertThat(d.get("topic").isNull()).isTrue();
        assertThat(d.get("partition").asInt()).isEqualTo(-1);
        assertThat(d.get("offset").asLong()).isEqualTo(-1);
        assertThat(d.has("encoding")).isFalse();
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
