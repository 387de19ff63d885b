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
    void keepsEveryUpdateUntilAllForwardSubtasksReportedThenOnlyWhatTheyStillHold() {
        SentVersions sent = new SentVersions(2);
        sent.sent(update(1, 3));
        sent.sent(progress(1, 4));
        sent.sent(update(2, 5));
        sent.sent(update(3, 6));
        sent.sent(progress(3, 9));

        sent.reported(0, 3);
        assertThat(sent.keptUpdates()).as("subtask 1 has not reported").isEqualTo(3);
        sent.reported(1, 2);
        assertThat(sent.replay()).extracting(ParameterVersion::version, ParameterVersion::completedThrough)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 5L), org.assertj.core.groups.Tuple.tuple(3L, 6L),
                        org.assertj.core.groups.Tuple.tuple(3L, 9L));
    }

    @Test
    void theNewestCompletionIsLeftOutWhenAnUpdateCameAfterIt() {
        SentVersions sent = new SentVersions(1);
        sent.sent(progress(0, 2));
        sent.sent(update(1, 3));
        assertThat(sent.replay()).extracting(ParameterVersion::version).containsExactly(1L);
    }
}
