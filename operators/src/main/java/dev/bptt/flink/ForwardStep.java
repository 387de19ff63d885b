package dev.bptt.flink;

import dev.bptt.loop.ChannelInlet;
import dev.bptt.loop.LoopInlet;
import dev.bptt.loop.LoopPosition;
import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.Parameters;
import dev.bptt.model.SequenceForward;
import dev.bptt.model.StepBatch;
import dev.bptt.model.StepRing;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.Prediction;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.KeyProgress;
import dev.bptt.steps.RejectKind;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import dev.bptt.steps.StepOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * Keyed forward pass: checks each key's step order, runs {@code s_t = f(s_{t-1}, x_t; w)} with
 * the parameter version the step's bucket must use, emits the step for the backward pass and
 * its prediction (before the step trains the model). A step whose version is not known yet waits
 * in a per-bucket buffer, and the output watermark is held at the start of the earliest waiting
 * bucket, so no bucket downstream closes before its steps ran. Versions arrive through a
 * {@link LoopInlet} (the in-job channel, or a Kafka topic) and are applied on this task's mailbox
 * thread; of a replayable inlet (Kafka) the subtask keeps how far it has read, and a restored
 * subtask reads on from there.
 *
 * <p>Idle keys (with a timeout): a key's sequence expires when its next step comes more than the
 * timeout after its previous one, or when the input watermark passes that point first. The expiry
 * is decided on the input side, so it depends on the input alone, and travels in key order with
 * the steps (through the same buffer) as a marker that clears the state here and closes the open
 * window downstream, in the bucket where the timeout falls.
 *
 * <p>Read-ahead is bounded: when the input watermark is more than {@link #LOOKAHEAD_BUCKETS}
 * buckets (beyond the staleness) past the earliest waiting bucket, the operator serves only its
 * mailbox (versions) until that bucket ran, so it stops taking input and the source is
 * back-pressured. Without the bound a backlog (a file, a Kafka topic read from the start) would
 * be buffered here whole: unbounded memory and snapshots, and on a cluster no checkpoint could
 * complete once the source had finished. Blocking on a watermark cannot deadlock: everything
 * before it has been processed and its output watermark emitted, which is all the updates of
 * the earliest waiting bucket need.
 *
 * <p>Batches: the steps a bucket releases run as batches across keys ({@link StepBatch}, the keys
 * as the vector lanes of one matrix-matrix product per step): split into rounds that hold each
 * key once ({@link KeyRounds}; a key's steps are sequential), each round in batches of up to
 * {@code batchKeys} keys. A key's numbers are the same in any batch and alone, so neither the
 * batch sizes nor which keys met in a batch (which depends on arrival times) change any output;
 * they equal the per-key path's ({@link #PER_KEY}, {@link SequenceForward}) to rounding (1e-12,
 * the sums run in another order). Steps already runnable on arrival (their version known, as with
 * staleness >= 1, or the rest of a bucket arriving after its version) are buffered with the
 * waiting ones and run at the next input watermark, at the end of input, once {@code batchKeys}
 * of them have arrived, or {@link #BATCH_WAIT_MS} after the first of them was buffered
 * (processing time), whichever comes first; a snapshot keeps them with the waiting steps.
 * Latency: such a step's prediction leaves at most {@link #BATCH_WAIT_MS} later than it would
 * alone, also when the input stalls. The wait changes no number: a key's results do not depend
 * on its batch. The updates are not delayed: the output watermark is held before a buffered step's
 * bucket, and the buffered steps run before the watermark that could pass it is forwarded, so a
 * bucket completes downstream at the same watermark as on the per-key path. With {@code async}
 * (lowest latency, not reproducible) runnable steps run on arrival, as batches of one. A batched
 * GRU or LSTM step hands its activations (4H values) to TbpttBackward with the step, so the
 * backward pass need not recompute it.
 *
 * <p>State: per key the order progress and s_{t-1}; per subtask the pending steps, the versions
 * received and the inlet's read positions.
 *
 * <p>Held keys: while there is room ({@link #HELD_KEYS_PROPERTY}, 16 MiB per subtask by default:
 * 23,000 keys of the benchmark's model), a key's progress and s_{t-1} are held in the operator's
 * memory ({@link HeldKeys}), read from keyed state once (after a restore) and changed in place; a
 * snapshot writes back the keys that changed (s_{t-1} as a copy, as the held array changes on while
 * a heap backend's snapshot may still read it). A key left with neither (its sequence ended and its
 * progress dropped) is let go, and its keyed state cleared at once. So snapshots, restores,
 * rescaling and the state's format are the same as without held keys. Per step this saves a read
 * and a write of the progress at intake and of s_{t-1} at release, each a lookup of a cache-cold
 * entry, and the current key need not be set at release (job benchmark, with the held rings'
 * lending: 2.24 to 2.11 us of CPU a step, +2-7% steps/s). Keys beyond the room read and write
 * keyed state as before.
 */
public final class ForwardStep extends ModelOperator<TrainingStep>
        implements OneInputStreamOperator<SequenceStep, TrainingStep>, BoundedOneInput,
                Triggerable<String, VoidNamespace> {

    public static final OutputTag<Prediction> PREDICTIONS = new OutputTag<>("predictions", TypeInformation.of(Prediction.class));
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /**
     * How many buckets beyond the staleness the input watermark may lead the earliest waiting
     * bucket before the operator stops taking input. Enough to keep the loop busy (a bucket
     * becomes runnable once the one {@code lead + 1} before it is complete); measured on a
     * standalone cluster, a file of 180,000 steps was otherwise read whole into the waiting
     * buffer in 4 s of a 21 s run.
     */
    static final int LOOKAHEAD_BUCKETS = 8;

    /**
     * Longest a runnable step waits (processing time) for others to share its batch. Without a
     * bound the steps buffered after a stream's last watermark would wait for the next one: for
     * ever on a stalled stream (seen in the state-size benchmark, whose input stays open).
     */
    static final long BATCH_WAIT_MS = 5;

    /**
     * System property: {@code keep} (the default) hands a batched GRU or LSTM step's activations
     * to the backward pass, which then skips its recompute (held in a heap backend's ring, 4H
     * doubles a step); {@code recompute} does not, for the memory. Read when a subtask opens.
     */
    public static final String ACTIVATIONS_PROPERTY = "bptt.activations";

    /**
     * System property: MiB per subtask for the keys whose order progress and s_{t-1} are held in
     * memory ({@link HeldKeys}), default {@value #DEFAULT_HELD_KEY_MIB}; 0 reads and writes keyed
     * state at every step.
     */
    public static final String HELD_KEYS_PROPERTY = "bptt.heldKeyMiB";
    static final long DEFAULT_HELD_KEY_MIB = 16;

    /** Per key: the last step accepted (order checks). */
    private transient ValueState<KeyProgress> progress;
    /** Per key: s_{t-1}. */
    private transient ValueState<double[]> state;
    /** Per subtask: steps and expiries waiting for their version (snapshot). */
    private transient ListState<PendingStep> pendingState;
    /** Per subtask: the version messages received (replayed on restore). */
    private transient ListState<ParameterVersion> versionsState;
    /** Per subtask: how far a replayable inlet was read. */
    private transient ListState<LoopPosition> positionsState;

    private final LoopInlet inlet;

    private transient PendingBuckets waiting;
    private transient VersionStore store;
    /** The per-key path's forward pass, or null when batched. */
    private transient SequenceForward forward;
    /** The batched forward pass, or null on the per-key path. */
    private transient StepBatch batch;
    /**
     * The staged keys' state arrays as their entries ({@link #entry}) hold them (null for a first
     * step): s_t is written into them (no array of garbage a step; a held key's own array, or for a
     * key not held the array {@code state.value()} gave, on the heap backend the stored one, which
     * it copies first while a snapshot holds it), then kept in the entry.
     */
    private transient double[][] keptStates;
    /** The staged keys' entries ({@link #entry}), beside {@link #keptStates}. */
    private transient HeldKeys.Entry[] keptEntries;
    /** Memory for held keys per subtask, or -1 for {@link #HELD_KEYS_PROPERTY}'s. */
    private final long heldKeyBytes;
    /** Per key, for as many keys as {@link #heldKeyBytes} allows: progress and s_{t-1}, ahead of keyed state. */
    private transient HeldKeys heldKeys;
    /** True when batched steps carry their activations ({@link #ACTIVATIONS_PROPERTY}). */
    private transient boolean keepActivations;
    /** Steps buffered while already runnable, since the last release. */
    private transient int readyWaiting;
    /** Processing time when the oldest of the {@link #readyWaiting} steps was buffered. */
    private transient long firstReadyAt;
    /** True while the batch-wait timer is registered ({@link #onBatchWait}; at most one). */
    private transient boolean batchTimerSet;
    private transient MailboxExecutor mailbox;
    private transient LoopInlet.Subscription subscription;
    /** Per partition of a replayable inlet: where a restored subtask resumes, then the next offset to apply. */
    private transient Map<Integer, Long> positions;
    /** Event-time timers on the input watermark: ended keys' cleanup and idle timeouts. */
    private transient InternalTimerService<VoidNamespace> timers;
    private transient long inputWatermark;
    private transient long outputWatermark;
    /** Steps run (forward pass done), dead letters sent, items waiting for their version. */
    private transient Counter stepsMetric;
    private transient Counter deadLettersMetric;

    /** A forward operator fed by the in-job channel. */
    public ForwardStep(Parameters initial, TrainingOptions options) {
        this(initial, options, new ChannelInlet(), DEFAULT_BATCH_KEYS);
    }

    /** A forward operator fed by the in-job channel, running batches of up to {@code batchKeys} keys. */
    public ForwardStep(Parameters initial, TrainingOptions options, int batchKeys) {
        this(initial, options, new ChannelInlet(), batchKeys);
    }

    /**
     * @param inlet where the parameter versions come from
     * @param batchKeys most keys forwarded as one batch, or {@link #PER_KEY} to run every step alone
     */
    public ForwardStep(Parameters initial, TrainingOptions options, LoopInlet inlet, int batchKeys) {
        this(initial, options, inlet, batchKeys, -1);
    }

    /** @param heldKeyBytes memory for held keys per subtask (0: none), or -1 for {@link #HELD_KEYS_PROPERTY}'s */
    ForwardStep(Parameters initial, TrainingOptions options, LoopInlet inlet, int batchKeys, long heldKeyBytes) {
        super(initial, options, batchKeys);
        this.inlet = inlet;
        this.heldKeyBytes = heldKeyBytes;
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        progress = context.getKeyedStateStore().getState(new ValueStateDescriptor<>("progress", KeyProgress.class));
        state = context.getKeyedStateStore().getState(new ValueStateDescriptor<>("state", double[].class));
        // Union lists: after a change of parallelism every subtask still gets every version (apply()
        // skips what it already has) and keeps the pending items of the keys it now owns.
        pendingState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("pending", PendingStep.class));
        versionsState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("versions", ParameterVersion.class));
        positionsState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("loop-positions", LoopPosition.class));
        List<LoopPosition> restoredPositions = new ArrayList<>();
        positionsState.get().forEach(restoredPositions::add);
        positions = new HashMap<>(LoopPosition.resumeAt(restoredPositions));
        waiting = new PendingBuckets();
        store = ParameterChannel.store(jobId(), subtask(), attempt(), () -> new VersionStore(initialParameters()));
        store.restore(versionsState.get());
        TaskInfo task = getRuntimeContext().getTaskInfo();
        for (PendingStep pending : pendingState.get()) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(pending.key(), task.getMaxNumberOfParallelSubtasks(),
                    task.getNumberOfParallelSubtasks()) == task.getIndexOfThisSubtask()) {
                waiting.add(pending);
            }
        }
        inputWatermark = Long.MIN_VALUE;
        outputWatermark = Long.MIN_VALUE;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (batchKeys == PER_KEY) {
            forward = new SequenceForward(shape);
        } else {
            batch = new StepBatch(shape, batchKeys);
            keptStates = new double[batchKeys][];
            keptEntries = new HeldKeys.Entry[batchKeys];
            keepActivations = keepActivations(System.getProperty(ACTIVATIONS_PROPERTY, "keep"));
        }
        long heldBytes = heldKeyBytes >= 0 ? heldKeyBytes : Long.getLong(HELD_KEYS_PROPERTY, DEFAULT_HELD_KEY_MIB) << 20;
        heldKeys = new HeldKeys((int) Math.min(Integer.MAX_VALUE, heldBytes / keyBytes(shape.stateSize())));
        stepsMetric = getMetricGroup().counter(Metrics.STEPS);
        deadLettersMetric = getMetricGroup().counter(Metrics.DEAD_LETTERS);
        getMetricGroup().gauge(Metrics.WAITING, () -> waiting.size());
        getMetricGroup().gauge(Metrics.HELD_KEYS, heldKeys::size);
        getMetricGroup().gauge(Metrics.VERSION, () -> store.latest());
        timers = getInternalTimerService("key-timers", VoidNamespaceSerializer.INSTANCE, this);
        subscription = inlet.open(jobId(), subtask(), attempt(), Map.copyOf(positions), new LoopInlet.Listener() {
            @Override
            public void deliver(LoopInlet.Delivery delivery) {
                onMailbox(() -> onVersion(delivery), "parameter version " + delivery.message().version());
            }

            @Override
            public void fail(Throwable cause) {
                onMailbox(() -> {
                    throw new IllegalStateException("the parameter loop failed: " + cause.getMessage(), cause);
                }, "parameter loop failure");
            }
        });
        if (!waiting.isEmpty()) {
            mailbox.execute(this::releaseReady, "release restored steps");
        }
    }

    @Override
    public void processElement(StreamRecord<SequenceStep> element) throws Exception {
        SequenceStep step = element.getValue();
        FaultInjection.onRecord(FaultInjection.FORWARD);
        try {
            if (step.time() <= inputWatermark) {
                throw new BadStepException(RejectKind.LATE, "key \"" + step.key() + "\" step " + step.step()
                        + " time " + step.time() + " is at or before the watermark " + inputWatermark);
            }
            HeldKeys.Entry e = entry(step.key(), true);
            KeyProgress previous = expireIfIdle(e, step.time());
            setProgress(e, step.key(), StepOrder.advance(previous, step));
            renewTimers(previous, step);
        } catch (BadStepException e) {
            deadLettersMetric.inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(new DeadLetter(e.getMessage(), StepJson.write(step), false,
                    step.origin())));
            return;
        }
        schedule(PendingStep.of(options.bucketOf(step.time()), step));
    }

    /**
     * Ends the current key's sequence if {@code time} comes more than the idle timeout after its
     * last step; returns the progress the next step is checked against.
     */
    private KeyProgress expireIfIdle(HeldKeys.Entry e, long time) throws Exception {
        KeyProgress previous = e.progress;
        if (options.idleTimeoutMs() == 0 || previous == null || previous.ended()
                || time - previous.lastTime() <= options.idleTimeoutMs()) {
            return previous;
        }
        long expiry = previous.lastTime() + options.idleTimeoutMs();
        timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, expiry);
        expire(e, expiry);
        return null;
    }

    /** The current key's sequence expired at {@code time}: forget its order, and end it in key order. */
    private void expire(HeldKeys.Entry e, long time) throws Exception {
        String key = (String) getCurrentKey();
        setProgress(e, key, null);
        schedule(PendingStep.expiry(options.bucketOf(time), key, time));
    }

    /** Bytes a held key costs in memory: s_{t-1}, and about 200 for its entry, key and progress. */
    static long keyBytes(int stateSize) {
        return 8L * stateSize + 200;
    }

    /**
     * The progress and s_{t-1} of {@code key}: its held entry (no keyed-state access, so the
     * current key need not be {@code key}), else read from keyed state (making {@code key} the
     * current key), held from now on while there is room. Beyond the room only the value this
     * access uses is read ({@code progressOnly}: the progress, else s_{t-1}), as before held keys:
     * with RocksDB each read deserializes.
     */
    private HeldKeys.Entry entry(String key, boolean progressOnly) throws Exception {
        HeldKeys.Entry e = heldKeys.get(key);
        if (e != null) {
            return e;
        }
        setCurrentKey(key);
        boolean both = heldKeys.hasRoom();
        return heldKeys.take(key, both || progressOnly ? progress.value() : null,
                both || !progressOnly ? state.value() : null);
    }

    private void setProgress(HeldKeys.Entry e, String key, KeyProgress p) throws Exception {
        e.progress = p;
        e.progressChanged = true;
        changed(e, key);
    }

    private void setState(HeldKeys.Entry e, String key, double[] s) throws Exception {
        e.state = s;
        e.stateChanged = true;
        changed(e, key);
    }

    /**
     * The entry of {@code key} changed: a held one goes to keyed state at the next snapshot; one
     * not held, or a held one left empty (the key then is held no more), goes now (making
     * {@code key} the current key).
     */
    private void changed(HeldKeys.Entry e, String key) throws Exception {
        if (e.held) {
            if (!e.empty()) {
                return;
            }
            heldKeys.drop(key);
        }
        setCurrentKey(key);
        writeThrough(e, false);
    }

    /**
     * Keyed state gets what it lacks of the current key's entry. {@code copy}: s_{t-1} goes as a
     * copy, as the held array changes in place after a snapshot began (which may still read the
     * stored array).
     */
    private void writeThrough(HeldKeys.Entry e, boolean copy) throws Exception {
        if (e.progressChanged) {
            if (e.progress == null) {
                progress.clear();
            } else {
                progress.update(e.progress);
            }
        }
        if (e.stateChanged) {
            if (e.state == null) {
                state.clear();
            } else {
                state.update(copy ? e.state.clone() : e.state);
            }
        }
        e.written();
    }

    /** Brings keyed state up to date with every held key (before a snapshot). Modified: the current key. */
    private void writeBackHeldKeys() throws Exception {
        for (Map.Entry<String, HeldKeys.Entry> held : heldKeys.changed()) {
            setCurrentKey(held.getKey());
            writeThrough(held.getValue(), true);
        }
    }

    /**
     * After a step: the key's idle timer moves to {@code time + timeout}; after {@code last} a
     * timer at the step's time drops the order progress once the watermark passes it (until then a
     * repeat of the last step is still recognised as a duplicate).
     */
    private void renewTimers(KeyProgress previous, SequenceStep step) {
        if (step.last()) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, step.time());
        }
        if (options.idleTimeoutMs() == 0) {
            return;
        }
        if (previous != null && !previous.ended()) {
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, previous.lastTime() + options.idleTimeoutMs());
        }
        if (!step.last()) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, step.time() + options.idleTimeoutMs());
        }
    }

    /**
     * The input watermark passed a key's timer: an ended key's last step (its progress goes: every
     * step at or before that time is late from now on), or an open sequence's idle timeout (the
     * sequence expires).
     */
    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        String key = timer.getKey();
        HeldKeys.Entry e = entry(key, true);
        KeyProgress p = e.progress;
        if (p == null) {
            changed(e, key); // nothing to write: a key with nothing is not held
            return;
        }
        if (p.ended()) {
            if (p.lastTime() <= timer.getTimestamp()) {
                setProgress(e, key, null);
            }
        } else if (options.idleTimeoutMs() > 0 && p.lastTime() + options.idleTimeoutMs() == timer.getTimestamp()) {
            expire(e, timer.getTimestamp());
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

    /**
     * Queues a pending item behind its bucket; on the per-key path and with {@code async} an item
     * whose version is known runs at once instead. Runs the buffered runnable items once
     * {@code batchKeys} of them wait.
     */
    private void schedule(PendingStep pending) throws Exception {
        boolean ready = store.ready(pending.bucket(), options.lead());
        if (ready && batch == null) {
            run(pending);
        } else if (ready && options.async()) {
            runRound(List.of(pending), versionFor(pending.bucket()));
        } else {
            waiting.add(pending);
            if (ready && ++readyWaiting >= batchKeys) {
                releaseReady();
            } else if (ready && readyWaiting == 1) {
                ProcessingTimeService time = getProcessingTimeService();
                firstReadyAt = time.getCurrentProcessingTime();
                if (!batchTimerSet) {
                    batchTimerSet = true;
                    time.registerTimer(firstReadyAt + BATCH_WAIT_MS, this::onBatchWait);
                }
            }
        }
    }

    /**
     * The batch-wait timer fired at {@code time}: runs the buffered runnable steps if the oldest of
     * them has waited {@link #BATCH_WAIT_MS}, else waits on for it. One timer at a time serves every
     * batch: registering one per batch (thousands a second in a steady stream, where batches fill
     * long before the wait is over) kept Flink's timer thread at a tenth of a core.
     */
    private void onBatchWait(long time) throws Exception {
        batchTimerSet = false;
        if (readyWaiting == 0) {
            return;
        }
        long due = firstReadyAt + BATCH_WAIT_MS;
        if (time >= due) {
            releaseReady();
        } else {
            batchTimerSet = true;
            getProcessingTimeService().registerTimer(due, this::onBatchWait);
        }
    }

    /** The parameter version the steps of {@code bucket} use now; requires the store to be ready for it. */
    private long versionFor(long bucket) {
        return options.async() ? store.latest() : store.versionFor(bucket, options.staleness());
    }

    static boolean keepActivations(String mode) {
        return switch (mode) {
            case "keep" -> true;
            case "recompute" -> false;
            default -> throw new IllegalArgumentException("-D" + ACTIVATIONS_PROPERTY + "=" + mode
                    + ": expected keep or recompute");
        };
    }

    /** One pending item of the current key, on the per-key path. */
    private void run(PendingStep pending) throws Exception {
        if (pending.step() == null) {
            endExpired(pending);
            return;
        }
        SequenceStep step = pending.step();
        long version = versionFor(pending.bucket());
        HeldKeys.Entry e = entry(step.key(), false);
        double[] s = step.step() == 0 ? null : e.state;
        if (s == null) {
            s = new double[shape.stateSize()];
        }
        double[] before = s.clone();
        double[] y = new double[shape.outputSize()];
        forward.step(store.params(version), step.input(), s, y);
        emit(pending, version, before, s, y, null, e);
    }

    /**
     * One round of a bucket (each key at most once) with parameter {@code version}, in batches of
     * up to {@code batchKeys} steps; expiries end their key's sequence in place.
     */
    private void runRound(List<PendingStep> round, long version) throws Exception {
        Parameters w = store.params(version);
        List<PendingStep> staged = new ArrayList<>(Math.min(round.size(), batchKeys));
        for (PendingStep pending : round) {
            if (pending.step() == null) {
                endExpired(pending);
                continue;
            }
            SequenceStep step = pending.step();
            HeldKeys.Entry e = entry(step.key(), false);
            double[] s = step.step() == 0 ? null : e.state;
            batch.add(step.input(), s);
            keptStates[staged.size()] = s;
            keptEntries[staged.size()] = e;
            staged.add(pending);
            if (batch.isFull()) {
                runBatch(staged, w, version);
            }
        }
        runBatch(staged, w, version);
    }

    /** The staged steps' forward pass as one batch, then each key's outputs and state (empties {@code staged}). */
    private void runBatch(List<PendingStep> staged, Parameters w, long version) throws Exception {
        if (staged.isEmpty()) {
            return;
        }
        batch.run(w);
        for (int b = 0; b < staged.size(); b++) {
            PendingStep pending = staged.get(b);
            emit(pending, version, batch.statePrev(b), batch.state(b, keptStates[b]), batch.prediction(b),
                    keepActivations ? batch.activations(b) : null, keptEntries[b]);
            keptStates[b] = null;
            keptEntries[b] = null;
        }
        batch.clear();
        staged.clear();
    }

    /** The marker's key's sequence expired: its state goes, and the marker travels on in key order. */
    private void endExpired(PendingStep expiry) throws Exception {
        setState(entry(expiry.expiredKey(), false), expiry.expiredKey(), null);
        output.collect(new StreamRecord<>(TrainingStep.expiry(expiry.expiredKey(), expiry.expiryTime(),
                expiry.bucket()), expiry.expiryTime()));
    }

    /**
     * A step ran with {@code version}: emits it for the backward pass (with
     * s_{t-1} = {@code before} and its {@code activations}, or null) and its prediction y, and
     * keeps s_t = {@code after} in the key's entry {@code e} (or clears it after its last step).
     */
    private void emit(PendingStep pending, long version, double[] before, double[] after, double[] y,
            double[] activations, HeldKeys.Entry e) throws Exception {
        SequenceStep step = pending.step();
        stepsMetric.inc();
        int targetClass = step.target() == null ? Math.max(step.targetClass(), StepRing.NO_TARGET) : StepRing.NO_TARGET;
        output.collect(new StreamRecord<>(new TrainingStep(step.key(), step.step(), step.time(), pending.bucket(),
                step.input(), before, step.target(), targetClass, step.last(), version, activations), step.time()));
        output.collect(PREDICTIONS, new StreamRecord<>(new Prediction(step.key(), step.step(), step.time(), y, version),
                step.time()));
        setState(e, step.key(), step.last() ? null : after);
    }

    /** Runs {@code action} on this task's thread, unless the subtask has finished (it needs no more versions). */
    private void onMailbox(ThrowingRunnable<? extends Exception> action, String what) {
        try {
            mailbox.execute(action, what);
        } catch (RejectedExecutionException finished) {
            // finished: nothing to do
        }
    }

    /** A version arrived (on the mailbox thread): release the buckets it makes runnable. */
    private void onVersion(LoopInlet.Delivery delivery) throws Exception {
        if (delivery.partition() >= 0) {
            positions.put(delivery.partition(), delivery.offset() + 1);
        }
        if (store.apply(delivery.message())) {
            releaseReady();
        }
    }

    /**
     * Runs the waiting buckets the store's versions make runnable. Also once after a restore: the
     * versions are union state, so a subtask restores the versions every subtask had received,
     * which may already cover buckets it was still waiting for when the snapshot was taken (the
     * forward subtasks run in different processes and hear of a version at different times), and
     * no message that is new to it may ever come for them.
     */
    private void releaseReady() throws Exception {
        readyWaiting = 0;
        for (List<PendingStep> bucket : waiting.takeReady(b -> store.ready(b, options.lead()))) {
            if (batch == null) {
                for (PendingStep pending : bucket) {
                    setCurrentKey(pending.key());
                    run(pending);
                }
            } else {
                long version = versionFor(bucket.get(0).bucket());
                for (List<PendingStep> round : KeyRounds.of(bucket)) {
                    runRound(round, version);
                }
            }
        }
        pruneVersions();
        emitWatermark();
    }

    /**
     * Drops versions no step can use any more: pending steps are in their buckets, and steps yet
     * to arrive are after the input watermark (earlier ones would be late).
     */
    private void pruneVersions() {
        if (inputWatermark == Long.MIN_VALUE || inputWatermark == Long.MAX_VALUE) {
            return;
        }
        long earliest = options.bucketOf(inputWatermark + 1);
        if (!waiting.isEmpty()) {
            earliest = Math.min(earliest, waiting.firstBucket());
        }
        store.prune(earliest, options.lead());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        inputWatermark = Math.max(inputWatermark, mark.getTimestamp());
        // Timers run on the input watermark; the end of input's fires none: no key expires there
        // (open windows then close into the last update).
        if (mark.getTimestamp() != Long.MAX_VALUE) {
            getTimeServiceManager().orElseThrow().advanceWatermark(mark);
        }
        // the buffered runnable steps run before the watermark goes on (then it is emitted)
        releaseReady();
        while (tooFarAhead()) {
            mailbox.yield();
        }
    }

    /** True while the input watermark leads the earliest waiting bucket by more than the read-ahead bound. */
    private boolean tooFarAhead() {
        return !waiting.isEmpty() && inputWatermark != Long.MAX_VALUE
                && options.bucketOf(inputWatermark) > waiting.firstBucket() + options.lead() + LOOKAHEAD_BUCKETS;
    }

    /** Output watermark: the input's, held just before the earliest bucket that still waits. */
    private void emitWatermark() {
        long held = waiting.heldWatermark(inputWatermark, options.bucketMs());
        if (held > outputWatermark) {
            outputWatermark = held;
            output.emitWatermark(new Watermark(held));
        }
    }

    @Override
    public void endInput() throws Exception {
        // No record can come any more: the input watermark is at its end even if no
        // MAX_WATERMARK arrives (as when the upstream task was already finished at a restore).
        inputWatermark = Long.MAX_VALUE;
        releaseReady();
        // A bounded run ends only after every buffered step has had its version.
        while (!waiting.isEmpty()) {
            mailbox.yield();
        }
    }

    @Override
    public void finish() throws Exception {
        subscription.close();
        super.finish();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        writeBackHeldKeys();
        pendingState.update(waiting.all());
        versionsState.update(store.snapshot());
        List<LoopPosition> read = new ArrayList<>();
        positions.forEach((partition, offset) -> read.add(new LoopPosition(partition, offset)));
        positionsState.update(read);
    }

    @Override
    public void close() throws Exception {
        if (subscription != null) {
            subscription.close();
        }
        super.close();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.FORWARD);
    }
}
