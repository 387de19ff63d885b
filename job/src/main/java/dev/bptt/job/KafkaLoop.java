package dev.bptt.job;

import dev.bptt.connectors.kafka.KafkaConnectors;
import dev.bptt.connectors.kafka.KafkaLoopInlet;
import dev.bptt.connectors.kafka.KafkaSettings;
import dev.bptt.loop.LoopInlet;
import dev.bptt.records.ParameterVersion;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The loop through a Kafka topic ({@code --loop kafka}): ParameterUpdate's messages are written to
 * the loop topic and every forward subtask reads them back ({@link KafkaLoopInlet}). Needs no
 * co-location, so the forward operators may run anywhere that reaches the broker. The topic is
 * internal: records repeat after restores, and progress marks (a bucket completed without an
 * update) travel on it too. The versions users read are on the params topic, once each.
 *
 * <p>With a fixed staleness the run is exactly the in-job loop's. With {@code async} after a
 * restart a forward subtask may first use versions the failed attempt wrote (async promises no
 * reproducibility).
 */
public final class KafkaLoop implements ParameterLoop {

    private final KafkaSettings settings;
    private final KafkaLoopInlet inlet;

    /** Asks the broker where the loop topic ends now: records before that belong to earlier runs. */
    public KafkaLoop(KafkaSettings settings) {
        this.settings = settings;
        this.inlet = KafkaLoopInlet.startingAtEnd(settings);
    }

    @Override
    public LoopInlet inlet() {
        return inlet;
    }

    @Override
    public void close(DataStream<ParameterVersion> messages, int parallelism) {
        messages.sinkTo(KafkaConnectors.loopSink(settings)).name("kafka-loop").uid(OperatorIds.KAFKA_LOOP)
                .setParallelism(1);
    }
}
