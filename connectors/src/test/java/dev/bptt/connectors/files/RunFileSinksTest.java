package dev.bptt.connectors.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-folder sinks' writers (no Flink runtime needed: the init context is not used): the
 * newest version in the npz, one metrics row and one dead-letter line per element, and a
 * restore leaves each row once.
 */
class RunFileSinksTest {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 2, 3, 1);
    private static final long BUCKET_MS = 1000;

    private static ParameterVersion update(long version, long bucket, double value) {
        double[] params = new double[Parameters.zeros(SHAPE).size()];
        java.util.Arrays.fill(params, value);
        return new ParameterVersion(version, bucket, bucket, params, 2.0 * version, 4, 0.5, 10, 0);
    }

    private static ParameterVersion progress(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0);
    }

    @Test
    void theNpzHoldsTheNewestVersionAndEachUpdateIsOneRow(@TempDir Path dir) throws Exception {
        Parameters initial = ParameterInit.uniform(SHAPE, 3);
        ParameterFileSink sink = new ParameterFileSink(dir.toString(), initial, BUCKET_MS);
        try (StatefulSinkWriter<ParameterVersion, Long> writer = sink.createWriter(null)) {
            assertThat(ParameterArrays.read(dir.resolve(ParameterFileSink.PARAMS)).toFlat())
                    .as("version 0 at the start").containsExactly(initial.toFlat());
            writer.write(update(1, 4, 0.25), null);
            writer.write(progress(1, 5), null);
            writer.write(update(2, GradientPartial.END_OF_INPUT, 0.5), null);
            writer.flush(true);
        }
        assertThat(ParameterArrays.read(dir.resolve(ParameterFileSink.PARAMS)).toFlat()).containsOnly(0.5);
        List<String> rows = Files.readAllLines(dir.resolve(ParameterFileSink.METRICS), UTF_8);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(MetricsLine.HEADER);
        assertThat(rows.get(1)).startsWith("1,4999,0.5,4,0.5,");
        assertThat(rows.get(2)).startsWith("2,-1,1.0,4,0.5,");
    }

    @Test
    void aReplayAfterARestoreLeavesEachRowOnce(@TempDir Path dir) throws Exception {
        ParameterFileSink sink = new ParameterFileSink(dir.toString(), ParameterInit.uniform(SHAPE, 3), BUCKET_MS);
        List<Long> checkpoint;
        try (StatefulSinkWriter<ParameterVersion, Long> writer = sink.createWriter(null)) {
            writer.write(update(1, 1, 0.1), null);
            writer.flush(false);
            checkpoint = writer.snapshotState(1);
            writer.write(update(2, 2, 0.2), null); // after the checkpoint: replayed after the restore
        }
        try (StatefulSinkWriter<ParameterVersion, Long> writer = sink.restoreWriter(null, checkpoint)) {
            assertThat(ParameterArrays.read(dir.resolve(ParameterFileSink.PARAMS)).toFlat())
                    .as("a restore does not go back to version 0").containsOnly(0.2);
            writer.write(update(2, 2, 0.2), null);
            writer.write(update(3, 3, 0.3), null);
        }
        List<String> rows = Files.readAllLines(dir.resolve(ParameterFileSink.METRICS), UTF_8);
        assertThat(rows.stream().skip(1).map(r -> r.substring(0, r.indexOf(','))).toList())
                .containsExactly("1", "2", "3");
        assertThat(ParameterArrays.read(dir.resolve(ParameterFileSink.PARAMS)).toFlat()).containsOnly(0.3);
    }

    @Test
    void deadLettersAreJsonLinesAndAReplayLeavesEachOnce(@TempDir Path dir) throws Exception {
        DeadLetterSink sink = new DeadLetterSink(dir.toString());
        List<Long> checkpoint;
        try (StatefulSinkWriter<DeadLetter, Long> writer = sink.createWriter(null)) {
            writer.write(new DeadLetter("malformed_json: x", "{\"key\":", false, "steps:1"), null);
            checkpoint = writer.snapshotState(1);
            writer.write(new DeadLetter("late: y", "{}", false, ""), null);
        }
        try (StatefulSinkWriter<DeadLetter, Long> writer = sink.restoreWriter(null, checkpoint)) {
            writer.write(new DeadLetter("late: y", "{}", false, ""), null);
        }
        assertThat(Files.readAllLines(dir.resolve(DeadLetterSink.FILE), UTF_8)).containsExactly(
                "{\"reason\":\"malformed_json: x\",\"record\":\"{\\\"key\\\":\",\"origin\":\"steps:1\"}",
                "{\"reason\":\"late: y\",\"record\":\"{}\"}");
    }

    @Test
    void theStateSerializerRoundTrips() throws Exception {
        LengthSerializer s = LengthSerializer.INSTANCE;
        assertThat(s.deserialize(s.getVersion(), s.serialize(123_456_789_012L))).isEqualTo(123_456_789_012L);
    }
}
