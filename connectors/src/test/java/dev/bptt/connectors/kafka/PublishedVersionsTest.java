package dev.bptt.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.records.ParameterVersion;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Each version is published once: progress messages and versions sent again (also after a restore) are dropped. */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class PublishedVersionsTest {

    @Test
    void passesEachNewVersionOnceAndNoProgressMessage() throws Exception {
        try (var harness = harness()) {
            harness.open();
            process(harness, update(1), progress(1), update(2), update(2), update(1), progress(2), update(3));
            assertThat(versions(harness)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void afterARestoreAVersionSentAgainIsNotPublishedAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            process(harness, update(1), update(2));
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            process(restored, update(2), progress(2), update(3));
            assertThat(versions(restored)).containsExactly(3L);
        }
    }

    private static OneInputStreamOperatorTestHarness<ParameterVersion, ParameterVersion> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new StreamFilter<>(new PublishedVersions()));
    }

    private static void process(OneInputStreamOperatorTestHarness<ParameterVersion, ParameterVersion> harness,
            ParameterVersion... messages) throws Exception {
        for (ParameterVersion m : messages) {
            harness.processElement(m, 0);
        }
    }

    private static List<Long> versions(OneInputStreamOperatorTestHarness<ParameterVersion, ParameterVersion> harness) {
        return harness.extractOutputValues().stream().map(ParameterVersion::version).toList();
    }

    private static ParameterVersion update(long version) {
        return new ParameterVersion(version, version, version, new double[] {version}, 1, 1, 0, 1, 0);
    }

    private static ParameterVersion progress(long version) {
        return new ParameterVersion(version, version + 1, -1, null, 0, 0, Double.NaN, 0, 0);
    }
}
