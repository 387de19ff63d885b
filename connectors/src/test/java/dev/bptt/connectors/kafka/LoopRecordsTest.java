package dev.bptt.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.records.ParameterVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Loop messages on the loop topic ({@code --loop kafka}). */
class LoopRecordsTest {

    @Test
    void anUpdateComesBackBitForBit() {
        double[] params = {0.1, -0.0, Double.MIN_VALUE, -1e300, Math.PI, Math.nextUp(1.0)};
        ParameterVersion sent = new ParameterVersion(7, 41, 41, params, 2.5, 12, Double.NaN, 96, 1);

        ParameterVersion read = LoopRecords.decode(LoopRecords.encode(sent));

        assertThat(read.version()).isEqualTo(7);
        assertThat(read.completedThrough()).isEqualTo(41);
        assertThat(read.bucket()).isEqualTo(41);
        assertThat(read.lossSum()).isEqualTo(2.5);
        assertThat(read.lossTerms()).isEqualTo(12);
        assertThat(read.gradNorm()).isNaN();
        assertThat(read.steps()).isEqualTo(96);
        assertThat(read.staleness()).isEqualTo(1);
        assertThat(Arrays.stream(read.params()).mapToLong(Double::doubleToRawLongBits).toArray())
                .isEqualTo(Arrays.stream(params).mapToLong(Double::doubleToRawLongBits).toArray());
    }

    @Test
    void aProgressMarkHasNoParameters() {
        ParameterVersion read = LoopRecords.decode(LoopRecords.encode(
                new ParameterVersion(3, Long.MAX_VALUE, -1, null, 0, 0, 0, 0, 0)));

        assertThat(read.isUpdate()).isFalse();
        assertThat(read.version()).isEqualTo(3);
        assertThat(read.completedThrough()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRecordIsKeyedByTheModel() {
        ProducerRecord<byte[], byte[]> r = new LoopRecords("loop", "model-a")
                .serialize(new ParameterVersion(1, 0, 0, new double[] {1}, 1, 1, 1, 1, 0), null, 5L);

        assertThat(r.topic()).isEqualTo("loop");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("model-a");
        assertThat(LoopRecords.decode(r.value()).params()).containsExactly(1.0);
    }

    @Test
    void bytesThatAreNoLoopMessageAreRefusedWithTheReason() {
        byte[] valid = LoopRecords.encode(new ParameterVersion(1, 0, 0, new double[] {1, 2}, 1, 1, 1, 1, 0));

        assertThatThrownBy(() -> LoopRecords.decode("{\"json\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> LoopRecords.decode(Arrays.copyOf(valid, valid.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> LoopRecords.decode(Arrays.copyOf(valid, valid.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many");
        assertThatThrownBy(() -> LoopRecords.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
