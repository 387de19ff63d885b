package dev.bptt.job;

import dev.bptt.loop.LoopInlet;
import dev.bptt.records.ParameterVersion;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * How the parameter loop closes (DESIGN.md "The loop"): where ParameterUpdate's loop messages go,
 * and where the forward operators read them from. {@link InJobLoop} by default; {@link KafkaLoop}
 * with {@code --loop kafka}.
 */
public interface ParameterLoop {

    /** What every forward subtask reads loop messages from. */
    LoopInlet inlet();

    /**
     * Adds the loop's tail to the graph.
     *
     * @param messages ParameterUpdate's loop messages (versions and progress marks)
     * @param parallelism the forward operator's
     */
    void close(DataStream<ParameterVersion> messages, int parallelism);
}
