package dev.bptt.loop;

import dev.bptt.records.ParameterVersion;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The in-job loop: versions come through {@link ParameterChannel} from the co-located feedback
 * tail. Nothing can be replayed; after a restore ParameterUpdate re-sends what the restored
 * forward subtasks may have missed.
 */
public final class ChannelInlet implements LoopInlet {

    private static final long serialVersionUID = 1L;

    @Override
    public Subscription open(String jobId, int subtask, int attempt, Map<Integer, Long> resumeAt,
            Listener listener) {
        Consumer<ParameterVersion> consumer = message -> listener.deliver(new Delivery(message, -1, -1));
        ParameterChannel.subscribe(jobId, subtask, attempt, consumer);
        return () -> ParameterChannel.unsubscribe(jobId, subtask, attempt, consumer);
    }
}
