package dev.bptt.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.records.ParameterVersion;
import org.junit.jupiter.api.Test;

/** What ParameterUpdate keeps to re-send after a restore. */
class SentVersionsTest {

    private static ParameterVersion update(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, completedThrough, new double[] {version}, 1, 1, 1, 1, 0);
    }

    private static ParameterVersion progress(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0);
    }

    @Test
    void keepsWhatWasSentSinceTheSnapshotOfTheLastCompletedCheckpointAndTheNewest() {
        SentVersions sent = new SentVersions();
        sent.sent(update(1, 3));
        sent.sent(progress(1, 4));
        assertThat(sent.snapshot(1)).extracting(ParameterVersion::completedThrough).containsExactly(3L, 4L);
        sent.sent(update(2, 5));
        sent.sent(progress(2, 6));
        sent.checkpointCompleted(1); // restores now come from checkpoint >= 1: only what came after its snapshot
        assertThat(sent.replay()).extracting(ParameterVersion::version, ParameterVersion::completedThrough)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 5L), org.assertj.core.groups.Tuple.tuple(2L, 6L));

        sent.snapshot(2);
        sent.checkpointCompleted(2);
        assertThat(sent.replay()).as("the newest version and completion always stay")
                .extracting(ParameterVersion::version, ParameterVersion::completedThrough)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 5L), org.assertj.core.groups.Tuple.tuple(2L, 6L));
    }

    @Test
    void aSnapshotOfAnUnfinishedCheckpointKeepsEverythingSinceTheLastCompletedOne() {
        SentVersions sent = new SentVersions();
        sent.sent(update(1, 3));
        sent.snapshot(1); // never completes
        sent.sent(update(2, 5));
        assertThat(sent.snapshot(2)).extracting(ParameterVersion::version).containsExactly(1L, 2L);
    }
}
