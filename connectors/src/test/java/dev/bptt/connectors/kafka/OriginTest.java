package dev.bptt.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginTest {

    @Test
    void topicPartitionOffsetRoundTrips() {
        String origin = Origin.format("sensors.v2-steps", 3, 1_234_567_890_123L);
        assertThat(origin).isEqualTo("sensors.v2-steps/3/1234567890123");
        assertThat(Origin.parse(origin)).isEqualTo(new Origin("sensors.v2-steps", 3, 1_234_567_890_123L));
    }

    @Test
    void anEmptyOrMalformedOriginIsUnknown() {
        assertThat(Origin.parse("")).isEqualTo(Origin.UNKNOWN);
        assertThat(Origin.parse(null)).isEqualTo(Origin.UNKNOWN);
        assertThat(Origin.parse("steps/x/1")).isEqualTo(Origin.UNKNOWN);
        assertThat(Origin.parse("/0/1")).isEqualTo(Origin.UNKNOWN);
        assertThat(Origin.UNKNOWN).isEqualTo(new Origin(null, -1, -1));
    }
}
