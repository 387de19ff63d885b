package dev.bptt.flink;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.records.ParameterVersion;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The tail of the parameter loop: runs with ForwardStep's parallelism, co-located with it, and
 * hands every version it receives (broadcast from ParameterUpdate) to the forward subtask of the
 * same index through the in-JVM {@link ParameterChannel}.
 */
public final class ParameterFeedback extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<ParameterVersion, Void> {

    @Override
    public void processElement(StreamRecord<ParameterVersion> element) {
        FaultInjection.onRecord(FaultInjection.LOOP);
        ParameterChannel.publish(ModelOperator.jobId(this), ModelOperator.subtask(this), ModelOperator.attempt(this),
                element.getValue());
    }

    @Override
    public void close() throws Exception {
        ParameterChannel.release(ModelOperator.jobId(this), ModelOperator.subtask(this), ModelOperator.attempt(this));
        super.close();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.LOOP);
    }
}
