package dev.bptt.loop;

import dev.bptt.records.ParameterVersion;
import java.io.Serializable;
import java.util.Map;

/**
 * Where a forward subtask hears of parameter versions: the in-job {@link ParameterChannel}
 * ({@link ChannelInlet}) or a Kafka topic. Shipped with the job graph; {@link #open} runs in the
 * forward subtask.
 */
public interface LoopInlet extends Serializable {

    /**
     * Starts delivering loop messages to one forward subtask. The listener may be called on any
     * thread; it must hand what it gets to the subtask's mailbox.
     *
     * @param resumeAt per partition of a replayable inlet, the offset to read from (restored
     *     state); empty on a first start, and ignored by inlets that cannot replay
     * @return what stops the deliveries
     */
    Subscription open(String jobId, int subtask, int attempt, Map<Integer, Long> resumeAt, Listener listener);

    /** What a forward subtask is told. */
    interface Listener {
        /** The next message. */
        void deliver(Delivery delivery);

        /** The inlet broke (an unreachable broker, a record that is no loop message): fail the task. */
        void fail(Throwable cause);
    }

    /** A message and where it was read ({@code partition < 0}: an inlet that cannot replay). */
    record Delivery(ParameterVersion message, int partition, long offset) {}

    /** Stops the deliveries of one subtask; idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
