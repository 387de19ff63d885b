package dev.bptt.job;

import dev.bptt.flink.ParameterFeedback;
import dev.bptt.loop.ChannelInlet;
import dev.bptt.loop.LoopInlet;
import dev.bptt.records.ParameterVersion;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The default loop, with no external service: the messages are broadcast to a feedback tail with
 * the forward operator's parallelism, co-located with it, which hands them to the forward subtask
 * of its index in the same JVM ({@link ChannelInlet}).
 */
public final class InJobLoop implements ParameterLoop {

    @Override
    public LoopInlet inlet() {
        return new ChannelInlet();
    }

    @Override
    public void close(DataStream<ParameterVersion> messages, int parallelism) {
        SingleOutputStreamOperator<Void> feedback = messages.broadcast()
                .transform("ParameterFeedback", Types.VOID, new ParameterFeedback())
                .uid(OperatorIds.FEEDBACK).setParallelism(parallelism);
        feedback.getTransformation().setCoLocationGroupKey(OperatorIds.LOOP);
    }
}
