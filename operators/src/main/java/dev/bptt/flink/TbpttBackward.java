package dev.bptt.flink;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.Parameters;
import dev.bptt.model.StepRing;
import dev.bptt.model.TbpttWindow;
import dev.bptt.model.TrainingOptions;
import dev.bptt.model.WindowLoss;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keyed TBPTT(k1, k2) backward pass, chained to ForwardStep on the same keys: keeps each key's
 * last k2 steps, and when a window closes runs the backward recursion ({@link TbpttWindow}) with
 * the parameter versions the steps used, adding the window's gradient to the local sum of the
 * closing step's bucket. When the watermark passes a bucket's end, the bucket's sum leaves as a
 * {@link GradientPartial}. At the end of a bounded input every open window closes into the
 * {@link GradientPartial#END_OF_INPUT} sum; an expiry marker (idle timeout) closes the key's open
 * window into the marker's bucket. State: per key the ring; per subtask the open sums.
 */
public final class TbpttBackward extends ModelOperator<GradientPartial>
        implements OneInputStreamOperator<TrainingStep, GradientPartial>, BoundedOneInput {


    /** Per key: the last k2 steps. */
    private transient ValueState<StepRing> ring;
    /** Per subtask: open bucket sums (snapshot). */
    private transient ListState<GradientPartial> sumsState;

    private transient BucketSums sums;
    private transient TbpttWindow window;
    private transient VersionStore store;
    /** Windows closed. */
    private transient Counter windowsMetric;

    public TbpttBackward(Parameters initial, TrainingOptions options) {
        super(initial, options);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        ring = context.getKeyedStateStore().getState(new ValueStateDescriptor<>("ring", StepRing.class));
        sumsState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("bucket-sums", GradientPartial.class));
        sums = new BucketSums(Parameters.zeros(shape));
        for (GradientPartial partial : sumsState.get()) {
            sums.restore(partial);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        window = new TbpttWindow(shape, options.loss());
        windowsMetric = getMetricGroup().counter(Metrics.WINDOWS);
        store = ParameterChannel.store(jobId(), subtask(), attempt(), () -> new VersionStore(initialParameters()));
        // after a restore: the restored rings hold their steps' versions
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("ring", StepRing.class), (key, state) -> {
                    StepRing r = state.value();
                    for (int i = 0; i < r.size; i++) {
                        store.retain(r.versions[r.slot(i)]);
                    }
                });
    }

    @Override
    public void processElement(StreamRecord<TrainingStep> element) throws Exception {
        TrainingStep step = element.getValue();
        FaultInjection.onRecord(FaultInjection.BACKWARD);
        StepRing r = ring.value();
        if (step.isExpiry()) {
            // the key's sequence ended by the idle timeout: its open window closes now
            if (r != null && r.pendingLoss > 0) {
                close(r, step.bucket());
            }
            forget(r);
            return;
        }
        if (r == null) {
            r = StepRing.forShape(shape, options.k2());
        } else if (r.size == r.capacity) {
            store.release(r.versions[r.slot(0)]); // the oldest step leaves the ring
        }
        store.retain(step.version());
        r.push(step.input(), 0, step.statePrev(), 0, step.target(), 0, step.targetClass(), step.version());
        sums.addStep(step.bucket(), step.version());
        if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
            close(r, step.bucket());
        }
        if (step.last()) {
            forget(r);
        } else {
            ring.update(r);
        }
    }

    /** The current key's sequence ended: its steps no longer hold their parameter versions. */
    private void forget(StepRing r) {
        if (r != null) {
            for (int i = 0; i < r.size; i++) {
                store.release(r.versions[r.slot(i)]);
            }
        }
        ring.clear();
    }

    private void close(StepRing r, long bucket) {
        windowsMetric.inc();
        WindowLoss loss = window.backward(r, store::params, sums.gradientOf(bucket));
        sums.addWindow(bucket, loss);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long complete = mark.getTimestamp() == Long.MAX_VALUE
                ? GradientPartial.END_OF_INPUT - 1
                : Math.floorDiv(mark.getTimestamp() + 1, options.bucketMs()) - 1;
        for (GradientPartial partial : sums.takeThrough(complete, subtask())) {
            output.collect(new StreamRecord<>(partial));
        }
        output.emitWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        List<String> open = new ArrayList<>();
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("ring", StepRing.class), (key, state) -> open.add((String) key));
        for (String key : open) {
            setCurrentKey(key);
            StepRing r = ring.value();
            if (r != null && r.pendingLoss > 0) {
                close(r, GradientPartial.END_OF_INPUT);
                ring.update(r);
            }
        }
        for (GradientPartial partial : sums.takeThrough(GradientPartial.END_OF_INPUT, subtask())) {
            output.collect(new StreamRecord<>(partial));
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        sumsState.update(sums.snapshot(subtask()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.BACKWARD);
    }
}
