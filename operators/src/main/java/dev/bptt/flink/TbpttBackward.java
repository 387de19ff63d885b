package dev.bptt.flink;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.BatchBackward;
import dev.bptt.model.ModelShape;
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
import java.util.Map;
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
 * and equals the per-key path's to rounding. Costs: the waiting windows' rings (k2 steps each; a
 * held key's ring itself, below, else a copy) in memory and in snapshots.
 *
 * <p>State: per key the ring, one entry per slot ({@link KeyedRing}: a step writes one slot and
 * the small head, a closing window reads the slots once); per subtask the open sums and the closed
 * windows waiting.
 *
 * <p>Held rings: while there is room ({@link #HELD_RINGS_PROPERTY}, 64 MiB per subtask by default:
 * 3,000 keys of the benchmark's Elman model), a key's ring is held in the operator's memory
 * ({@link HeldRings}) from its first step on, read from keyed state once (after a restore) and
 * pushed in place. A closing window borrows the ring itself ({@link HeldRings.Held#lend}), and the
 * ring is copied only if the key's next step comes before the window ran: with staleness 0 it
 * never does (the next bucket waits for this one's update), and copying every closing window's
 * ring had been 6.6% of the forward threads' samples in the job benchmark (lending: +4-9%
 * steps/s, 2.29 to 2.15 us of CPU a step). Keyed state gets the newest steps and the head of
 * every changed ring at each snapshot and before the end of input closes the open windows, so
 * snapshots, restores, rescaling and the state's format are the same as without held rings; a key
 * whose sequence ends leaves both. Keys beyond the room keep their rings in keyed state alone.
 * Each step then costs no keyed-state access here: per step a ring in state cost a read of the
 * replaced slot, a write of the new one and of the head, each a lookup of a cache-cold entry
 * (21% of the forward threads' samples in the job benchmark; holding the rings: +10-16% steps/s).
 * The cost: the held rings in memory (with a heap backend, beside their last written copy in
 * state), and a snapshot writes what changed since the previous one.
 *
 * <p>The activations that come with a batched GRU or LSTM step ride in its slot and ring
 * ({@link StepRing#activations}) but are never serialized: in a held ring or on a heap backend the
 * batched backward pass takes them instead of recomputing the step (a quarter of a training
 * step's products); for a ring read back from bytes (RocksDB, a restore) it recomputes, to the
 * same bits. The cost: 4H doubles per step in memory (held rings, a heap backend's state), not in
 * snapshots.
 */
public final class TbpttBackward extends ModelOperator<GradientPartial>
        implements OneInputStreamOperator<TrainingStep, GradientPartial>, BoundedOneInput {


    /** Memory the spare rings of closed windows may hold per subtask (16 MiB). */
    private static final long SPARE_RING_BYTES = 16L << 20;

    /**
     * System property: MiB per subtask for the rings held in memory ({@link HeldRings}), default
     * {@value #DEFAULT_HELD_RING_MIB}; 0 keeps every ring in keyed state alone.
     */
    public static final String HELD_RINGS_PROPERTY = "bptt.heldRingMiB";
    static final long DEFAULT_HELD_RING_MIB = 64;

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
    /** Memory for held rings per subtask, or -1 for {@link #HELD_RINGS_PROPERTY}'s. */
    private final long heldRingBytes;
    /** Per key, for as many keys as {@link #heldRingBytes} allows: the ring, ahead of keyed state. */
    private transient HeldRings held;
    /** Windows closed. */
    private transient Counter windowsMetric;

    public TbpttBackward(Parameters initial, TrainingOptions options) {
        this(initial, options, DEFAULT_BATCH_KEYS);
    }

    /** @param batchKeys most windows run as one batch, or {@link #PER_KEY} to run each alone at its close */
    public TbpttBackward(Parameters initial, TrainingOptions options, int batchKeys) {
        this(initial, options, batchKeys, -1);
    }

    /** @param heldRingBytes memory for held rings per subtask (0: none), or -1 for {@link #HELD_RINGS_PROPERTY}'s */
    TbpttBackward(Parameters initial, TrainingOptions options, int batchKeys, long heldRingBytes) {
        super(initial, options, batchKeys);
        this.heldRingBytes = heldRingBytes;
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
            spareRingLimit = (int) Math.max(batchKeys, SPARE_RING_BYTES / ringBytes());
            lossSums = new double[batchKeys];
            lossTerms = new int[batchKeys];
        }
        long heldBytes = heldRingBytes >= 0 ? heldRingBytes
                : Long.getLong(HELD_RINGS_PROPERTY, DEFAULT_HELD_RING_MIB) << 20;
        held = new HeldRings((int) Math.min(Integer.MAX_VALUE, heldBytes / ringBytes()));
        windowsMetric = getMetricGroup().counter(Metrics.WINDOWS);
        getMetricGroup().gauge(Metrics.HELD_RINGS, held::size);
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

    /** Bytes of one ring of this operator in memory ({@link #ringBytes(ModelShape, int, int)}). */
    private long ringBytes() {
        return ringBytes(shape, options.k2(), batch == null ? 0 : batch.activationSize());
    }

    /** Bytes of a ring in memory: k2 steps of x, s_{t-1}, target, class and version, and of {@code activationSize} kept activations. */
    static long ringBytes(ModelShape shape, int k2, int activationSize) {
        return 8L * k2 * (shape.inputSize() + shape.stateSize() + shape.outputSize() + 2 + activationSize);
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
        HeldRings.Held h = heldRing(step);
        if (h != null) {
            processHeld(step, h);
        } else {
            processInState(step);
        }
    }

    /**
     * The current key's held ring; a key not held yet is taken in (its ring read from keyed state
     * once) while there is room, unless the record is an expiry. Null: the key's ring stays in
     * keyed state alone.
     */
    private HeldRings.Held heldRing(TrainingStep step) throws Exception {
        HeldRings.Held h = held.get(step.key());
        if (h != null || step.isExpiry() || !held.hasRoom()) {
            return h;
        }
        RingHead head = ring.head();
        StepRing r = head.size() > 0 ? ring.load(head) : StepRing.forShape(shape, options.k2());
        return held.hold(step.key(), r);
    }

    /**
     * A step or expiry of a held key: its ring moves in memory, keyed state is written back later.
     * A closing window borrows the ring itself ({@link HeldRings.Held#lend}); the ring is copied
     * only if the key changes it before the window ran.
     */
    private void processHeld(TrainingStep step, HeldRings.Held h) throws Exception {
        StepRing r = h.own(this::blankRing);
        if (step.isExpiry()) {
            // the key's sequence ended by the idle timeout: its open window closes now
            if (r.pendingLoss > 0) {
                close(h.lend(), step.bucket());
            }
            forgetHeld(step.key(), r);
            return;
        }
        if (r.size == r.capacity) {
            store.release(r.versions[r.next]); // the oldest step leaves the ring
        }
        store.retain(step.version());
        int slot = r.push(step.input(), 0, step.statePrev(), 0, step.target(), 0, step.targetClass(), step.version());
        if (step.activations() != null) {
            r.keepActivations(slot, step.activations(), 0, step.activations().length);
        }
        h.pushed();
        sums.addStep(step.bucket(), step.version());
        if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
            close(h.lend(), step.bucket());
        }
        if (step.last()) {
            forgetHeld(step.key(), r); // a last step always closes a window
        }
    }

    /** A ring whose contents no one needs: a spare one when there is one. */
    private StepRing blankRing() {
        StepRing c = spareRing();
        return c != null ? c : StepRing.forShape(shape, options.k2());
    }

    /** A ring of a window that already ran, for a copy to reuse, or null when there is none. */
    private StepRing spareRing() {
        return spareRings == null ? null : spareRings.poll();
    }

    /**
     * A window of {@code key} on {@code r} has run: a ring the key's held ring lent is the key's
     * again; any other ring is spare.
     */
    private void windowRan(String key, StepRing r) {
        HeldRings.Held h = held.get(key);
        if ((h == null || !h.returned(r)) && spareRings != null && spareRings.size() < spareRingLimit) {
            spareRings.push(r);
        }
    }

    /** The current key's held sequence ended: its ring goes from memory and from keyed state. */
    private void forgetHeld(String key, StepRing r) {
        held.drop(key);
        forget(r);
    }

    /** A step or expiry of a key that is not held: its ring in keyed state, read and written per step. */
    private void processInState(TrainingStep step) throws Exception {
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
            closedRing = ring.load(head, spareRing());
            close(closedRing, step.bucket());
            head = head.counted();
        }
        if (step.last()) {
            forget(closedRing); // a last step always closes a window
        } else {
            ring.updateHead(head);
        }
    }

    /**
     * Brings keyed state up to date with every held ring (before a snapshot, and before the end of
     * input reads it). Modified: the changed keys' slots and heads in state; the current key.
     */
    private void writeBackHeldRings() throws Exception {
        for (Map.Entry<String, HeldRings.Held> e : held.changed()) {
            setCurrentKey(e.getKey());
            HeldRings.Held h = e.getValue();
            ring.writeBack(h.own(this::blankRing), h.unwritten);
            h.written();
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
     * @param r the key's ring as {@link KeyedRing#load} read it, or a held ring lent to the window
     *     (modified on the per-key path: pendingLoss set to 0; else kept by the waiting window,
     *     which holds its versions)
     */
    private void close(StepRing r, long bucket) {
        windowsMetric.inc();
        if (batch == null) {
            sums.addWindow(bucket, window.backward(r, store::params, sums.gradientOf(bucket)));
            windowRan((String) getCurrentKey(), r);
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
                windowRan(windows.get(b).key(), rings[b]);
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
        writeBackHeldRings();
        held.clear();
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
        writeBackHeldRings();
        sumsState.update(sums.snapshot(subtask()));
        closedState.update(closed.all());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.BACKWARD);
    }
}
