package dev.bptt.connectors.kafka;

import dev.bptt.records.ParameterVersion;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * The version messages to publish: updates (messages with parameters) newer than the last one
 * passed. Progress messages of the internal loop are dropped, and so is a version sent again
 * (e.g. re-sent by ParameterUpdate after a restore), so each version is published once. State
 * (parallelism 1): the highest version passed, checkpointed with the sink's transactions.
 */
public final class PublishedVersions implements FilterFunction<ParameterVersion>, CheckpointedFunction {

    private transient ListState<Long> state;
    private transient long published;

    @Override
    public boolean filter(ParameterVersion v) {
        if (!v.isUpdate() || v.version() <= published) {
            return false;
        }
        published = v.version();
        return true;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        state.update(List.of(published));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("published", Long.class));
        published = 0;
        for (Long v : state.get()) {
            published = Math.max(published, v);
        }
    }
}
