package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded clusters bind 127.0.0.1; a bounded run gets 128 KB network buffers, an online run
 * Flink's own, and -Dbptt.networkSegment sets either.
 */
class EmbeddedClusterTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(EmbeddedCluster.NETWORK_SEGMENT_PROPERTY);
    }

    @Test
    void aBoundedRunBindsLoopbackAndUses128KbNetworkBuffers() {
        Configuration conf = EmbeddedCluster.forBoundedRun(new Configuration());

        assertThat(conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE)).isEqualTo(MemorySize.parse("128kb"));
        assertThat(conf.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
    }

    @Test
    void anOnlineRunBindsLoopbackAndKeepsFlinksNetworkBuffers() {
        Configuration conf = EmbeddedCluster.forOnlineRun(new Configuration());

        assertThat(conf.contains(TaskManagerOptions.MEMORY_SEGMENT_SIZE)).isFalse();
        assertThat(conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE)).isEqualTo(MemorySize.parse("32kb"));
        assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
    }

    @Test
    void thePropertySetsTheNetworkBufferSizeOfEitherRun() {
        System.setProperty(EmbeddedCluster.NETWORK_SEGMENT_PROPERTY, "32kb");
        assertThat(EmbeddedCluster.forBoundedRun(new Configuration()).get(TaskManagerOptions.MEMORY_SEGMENT_SIZE))
                .isEqualTo(MemorySize.parse("32kb"));

        System.setProperty(EmbeddedCluster.NETWORK_SEGMENT_PROPERTY, " 256kb ");
        assertThat(EmbeddedCluster.forOnlineRun(new Configuration()).get(TaskManagerOptions.MEMORY_SEGMENT_SIZE))
                .isEqualTo(MemorySize.parse("256kb"));
    }

    @Test
    void aSizeFlinkCannotUseIsRejectedNamingTheProperty() {
        for (String bad : new String[] {"many", "2kb", "48kb", "-1"}) {
            System.setProperty(EmbeddedCluster.NETWORK_SEGMENT_PROPERTY, bad);
            assertThatThrownBy(() -> EmbeddedCluster.forBoundedRun(new Configuration())).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dbptt.networkSegment=" + bad);
            assertThatThrownBy(() -> EmbeddedCluster.forOnlineRun(new Configuration())).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dbptt.networkSegment=" + bad);
        }
    }
}
