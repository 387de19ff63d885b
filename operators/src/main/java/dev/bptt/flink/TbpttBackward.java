package dev.bptt.flink;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.BatchBackward;
import dev.bptt.model.Parameters;
import dev.bptt.model.StepRing;
import dev.bptt.model.TbpttWindow;
import dev.bptt.model.TrainingOptions;
import dev.bptt.model.WindowLoss;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.TrainingStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 * window into the marker's bucket.
 *
 * <p>Batches: a closed window waits (a copy of its ring, {@link ClosedWindow}) until the watermark
 * completes its bucket (or the end of input); then the bucket's windows run as batches across keys
 * through {@link BatchBackward} (keys as vector lanes, one matrix-matrix product per step): by
 * key, in groups whose rings are aligned (same length, pending losses and versions, as the windows
 * of keys that move through the buckets together are), at most {@code batchKeys} per batch
 * ({@link ClosedWindows}). This adds no latency: a bucket's sum leaves only when the watermark
 * passes it, which is when its windows run. Each key's loss is the same in any batch and equals
 * the per-key path's ({@link #PER_KEY}, {@link TbpttWindow} at the close) to rounding; the
 * bucket's gradient sum is a function of the set of windows in it (not of their arrival order),
 * and equals the per-key path's to rounding. Costs: the waiting windows' copies (k2 steps each)
 * in memory and in snapshots.
 *
 * <p>State: per key the ring, one entry per slot ({@link KeyedRing}: a step writes one slot and
 * the small head, a closing window reads the slots once); per subtask the open sums and the closed
 * windows waiting. The activations that come with a batched GRU or LSTM step ride in its slot and
 * ring ({@link StepRing#activations}) but are never serialized: on a heap backend the batched
 * backward pass takes them instead of recomputing the step (a quarter of a training step's
 * products), with RocksDB or after a restore it recomputes, to the same bits. The cost: 4H
 * doubles per step held in a heap backend's memory, not in snapshots.
 */
public final class TbpttBackward extends ModelOperator<GradientPartial>
        implements OneInputStreamOperator<TrainingStep, GradientPartial>, BoundedOneInput {


    /** Memory the spare rings of closed windows may hold per subtask (16 MiB). */
    private static final long SPARE_RING_BYTES = 16L << 20;

    /** Per key: the last k2 steps. */
    private transient KeyedRing ring;
    /** Per subtask: open bucket sums (snapshot). */
    private transient ListState<GradientPartial> sumsState;
    /** Per subtask: closed windows waiting for their bucket to complete (snapshot). */
    private transient ListState<ClosedWindow> closedState;

    private transient BucketSums sums;
    /** The per-key path's backward pass, or null when batched. */
    private transient TbpttWindow window;
    /** The batched backward pass and its per-batch buffers, or null on the per-key path. */
    private transient BatchBackward batch;
    private transient StepRing[] rings;
    private transient double[] lossSums;
    private transient int[] lossTerms;
    private transient ClosedWindows closed;
    /**
     * Rings of closed windows that have run, for the next closes to load into (a window's ring was
     * a new k2-step StepRing each time: the largest garbage of the forward threads). At most
     * {@link #spareRingLimit} are kept, so a burst of closes does not hold its memory for ever.
     */
    private transient ArrayDeque<StepRing> spareRings;
    private transient int spareRingLimit;
    private transient VersionStore store;
    /** Windows closed. */
    private transient Counter windowsMetric;

    public TbpttBackward(Parameters initial, TrainingOptions options) {
        this(initial, options, DEFAULT_BATCH_KEYS);
    }

    /** @param batchKeys most windows run as one batch, or {@link #PER_KEY} to run each alone at its close */
    public TbpttBackward(Parameters initial, TrainingOptions options, int batchKeys) {
        super(initial, options, batchKeys);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        ring = new KeyedRing(context.getKeyedStateStore(), shape, options.k2());
        sumsState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("bucket-sums", GradientPartial.class));
        sums = new BucketSums(Parameters.zeros(shape));
        for (GradientPartial partial : sumsState.get()) {
            sums.restore(partial);
        }
        closedState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("closed-windows", ClosedWindow.class));
        closed = new ClosedWindows();
        for (ClosedWindow w : closedState.get()) {
            closed.add(w);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (batchKeys == PER_KEY) {
            window = new TbpttWindow(shape, options.loss());
        } else {
            batch = new BatchBackward(shape, options.loss(), batchKeys);
            rings = new StepRing[batchKeys];
            spareRings = new ArrayDeque<>();
            long ringBytes = 8L * options.k2()
                    * (shape.inputSize() + shape.stateSize() + shape.outputSize() + 2 + batch.activationSize());
            spareRingLimit = (int) Math.max(batchKeys, SPARE_RING_BYTES / ringBytes);
            lossSums = new double[batchKeys];
            lossTerms = new int[batchKeys];
        }
        windowsMetric = getMetricGroup().counter(Metrics.WINDOWS);
        store = ParameterChannel.store(jobId(), subtask(), attempt(), () -> new VersionStore(initialParameters()));
        // after a restore: the restored rings' slots and the closed windows hold their steps' versions
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                ring.slotsDescriptor(), (key, slots) -> {
                    for (RingSlot slot : slots.values()) {
                        store.retain(slot.version());
                    }
                });
        closed.all().forEach(w -> retainVersions(w.ring()));
    }

    /** The steps of {@code r} hold their parameter versions in the store. */
    private void retainVersions(StepRing r) {
        for (int i = 0; i < r.size; i++) {
            store.retain(r.versions[r.slot(i)]);
        }
    }

    /** The steps of {@code r} no longer need their parameter versions. */
    private void releaseVersions(StepRing r) {
        for (int i = 0; i < r.size; i++) {
            store.release(r.versions[r.slot(i)]);
        }
    }

    @Override
    public void processElement(StreamRecord<TrainingStep> element) throws Exception {
        TrainingStep step = element.getValue();
        FaultInjection.onRecord(FaultInjection.BACKWARD);
        RingHead head = ring.head();
        if (step.isExpiry()) {
            // the key's sequence ended by the idle timeout: its open window closes now
            if (head.size() > 0) {
                StepRing r = ring.load(head);
                if (r.pendingLoss > 0) {
                    close(r, step.bucket());
                }
                forget(r);
            }
            return;
        }
        RingSlot replaced = ring.push(head, RingSlot.of(step));
        if (replaced != null) {
            store.release(replaced.version()); // the oldest step leaves the ring
        }
        store.retain(step.version());
        head = head.pushed(options.k2());
        sums.addStep(step.bucket(), step.version());
        StepRing closedRing = null;
        if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
            closedRing = ring.load(head, spareRings == null ? null : spareRings.poll());
            close(closedRing, step.bucket());
            head = head.counted();
        }
        if (step.last()) {
            forget(closedRing); // a last step always closes a window
        } else {
            ring.updateHead(head);
        }
    }

    /** The current key's sequence ended: its steps (all of {@code r}) no longer hold their parameter versions. */
    private void forget(StepRing r) {
        releaseVersions(r);
        ring.clear();
    }

    /**
     * The current key's window closes into {@code bucket}: on the per-key path it runs now, else
     * it waits for the bucket's batches. The caller then stores the head with its losses counted.
     *
     * @param r the key's ring as {@link KeyedRing#load} read it (modified on the per-key path:
     *     pendingLoss set to 0; else kept by the waiting window, which holds its versions)
     */
    private void close(StepRing r, long bucket) {
        windowsMetric.inc();
        if (batch == null) {
            sums.addWindow(bucket, window.backward(r, store::params, sums.gradientOf(bucket)));
            return;
        }
        retainVersions(r);
        closed.add(new ClosedWindow(bucket, (String) getCurrentKey(), r));
    }

    /** Runs the closed windows of every bucket {@code <= lastBucket}, in their batches, into the bucket sums. */
    private void runClosedThrough(long lastBucket) {
        if (batch == null) {
            return;
        }
        for (List<ClosedWindow> windows : closed.takeBatchesThrough(lastBucket, batchKeys)) {
            long bucket = windows.get(0).bucket();
            int n = windows.size();
            for (int b = 0; b < n; b++) {
                rings[b] = windows.get(b).ring();
            }
            batch.backward(rings, n, store::params, sums.gradientOf(bucket), lossSums, lossTerms);
            for (int b = 0; b < n; b++) {
                sums.addWindow(bucket, new WindowLoss(lossSums[b], lossTerms[b]));
                releaseVersions(rings[b]);
                if (spareRings.size() < spareRingLimit) {
                    spareRings.push(rings[b]);
                }
                rings[b] = null;
            }
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long complete = mark.getTimestamp() == Long.MAX_VALUE
                ? GradientPartial.END_OF_INPUT - 1
                : Math.floorDiv(mark.getTimestamp() + 1, options.bucketMs()) - 1;
        runClosedThrough(complete);
        for (GradientPartial partial : sums.takeThrough(complete, subtask())) {
            output.collect(new StreamRecord<>(partial));
        }
        output.emitWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        List<String> open = new ArrayList<>();
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                ring.headDescriptor(), (key, state) -> open.add((String) key));
        for (String key : open) {
            setCurrentKey(key);
            RingHead head = ring.head();
            if (head.pendingLoss() > 0) {
                close(ring.load(head), GradientPartial.END_OF_INPUT);
                ring.updateHead(head.counted());
            }
        }
        runClosedThrough(GradientPartial.END_OF_INPUT);
        for (GradientPartial partial : sums.takeThrough(GradientPartial.END_OF_INPUT, subtask())) {
            output.collect(new StreamRecord<>(partial));
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        sumsState.update(sums.snapshot(subtask()));
        closedState.update(closed.all());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.BACKWARD);
    }
}
