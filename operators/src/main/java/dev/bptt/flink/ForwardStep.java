package dev.bptt.flink;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.Parameters;
import dev.bptt.model.SequenceForward;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Keyed forward pass: checks each key's step order, runs {@code s_t = f(s_{t-1}, x_t; w)} with
 * the parameter version the step's bucket must use, emits the step for the backward pass and
 * its prediction (before the step trains the model). A step whose version is not known yet waits
 * in a per-bucket buffer, and the output watermark is held at the start of the earliest waiting
 * bucket, so no bucket downstream closes before its steps ran. Versions arrive from the in-job
 * channel and are applied on this task's mailbox thread. State: per key the order progress and
 * s_{t-1}; per subtask the waiting steps and the versions received.
 */
public final class ForwardStep extends ModelOperator<TrainingStep>
        implements OneInputStreamOperator<SequenceStep, TrainingStep>, BoundedOneInput {

    public static final OutputTag<Prediction> PREDICTIONS = new OutputTag<>("predictions", TypeInformation.of(Prediction.class));
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));


    /** Per key: the last step accepted (order checks). */
    private transient ValueState<KeyProgress> progress;
    /** Per key: s_{t-1}. */
    private transient ValueState<double[]> state;
    /** Per subtask: steps waiting for their version, by bucket (snapshotted as a list). */
    private transient ListState<SequenceStep> waitingState;
    /** Per subtask: the version messages received (replayed on restore). */
    private transient ListState<ParameterVersion> versionsState;

    private transient TreeMap<Long, List<SequenceStep>> waiting;
    private transient VersionStore store;
    private transient SequenceForward forward;
    private transient MailboxExecutor mailbox;
    private transient Consumer<ParameterVersion> subscription;
    private transient long inputWatermark;
    private transient long outputWatermark;

    public ForwardStep(Parameters initial, TrainingOptions options) {
        super(initial, options);
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
        state = context.getKeyedStateStore().getState(
                new ValueStateDescriptor<>("state", double[].class));
        waitingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("waiting", SequenceStep.class));
        versionsState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("versions", ParameterVersion.class));
        waiting = new TreeMap<>();
        store = ParameterChannel.store(jobId(), subtask(), () -> new VersionStore(initialParameters()));
        for (ParameterVersion message : versionsState.get()) {
            store.apply(message);
        }
        for (SequenceStep step : waitingState.get()) {
            waiting.computeIfAbsent(options.bucketOf(step.time()), b -> new ArrayList<>()).add(step);
        }
        inputWatermark = Long.MIN_VALUE;
        outputWatermark = Long.MIN_VALUE;
    }

    @Override
    public void open() throws Exception {
        super.open();
        forward = new SequenceForward(shape);
        subscription = message -> {
            try {
                mailbox.execute(() -> onVersion(message), "parameter version %d", message.version());
            } catch (RejectedExecutionException finished) {
                // This subtask has finished: it needs no further versions.
            }
        };
        ParameterChannel.subscribe(jobId(), subtask(), subscription);
    }

    @Override
    public void processElement(StreamRecord<SequenceStep> element) throws Exception {
        SequenceStep step = element.getValue();
        try {
            if (step.time() <= inputWatermark) {
                throw new BadStepException(RejectKind.LATE, "key \"" + step.key() + "\" step " + step.step()
                        + " time " + step.time() + " is at or before the watermark " + inputWatermark);
            }
            progress.update(StepOrder.advance(progress.value(), step));
        } catch (BadStepException e) {
            output.collect(DEAD_LETTERS, new StreamRecord<>(new DeadLetter(e.getMessage(), StepJson.write(step), "")));
            return;
        }
        long bucket = options.bucketOf(step.time());
        if (options.async() || store.ready(bucket, options.staleness())) {
            run(step, bucket);
        } else {
            waiting.computeIfAbsent(bucket, b -> new ArrayList<>()).add(step);
        }
    }

    /** The forward step of the current key. */
    private void run(SequenceStep step, long bucket) throws Exception {
        long version = options.async() ? store.latest() : store.versionFor(bucket, options.staleness());
        Parameters w = store.params(version);
        double[] s = state.value();
        if (s == null) {
            s = new double[shape.stateSize()];
        }
        double[] before = s.clone();
        double[] y = new double[shape.outputSize()];
        forward.step(w, step.input(), s, y);
        int targetClass = step.target() == null ? Math.max(step.targetClass(), StepRing.NO_TARGET) : StepRing.NO_TARGET;
        output.collect(new StreamRecord<>(new TrainingStep(step.key(), step.step(), step.time(), bucket, step.input(),
                before, step.target(), targetClass, step.last(), version), step.time()));
        output.collect(PREDICTIONS, new StreamRecord<>(new Prediction(step.key(), step.step(), step.time(), y, version),
                step.time()));
        if (step.last()) {
            state.clear();
        } else {
            state.update(s);
        }
    }

    /** A version arrived (on the mailbox thread): release the buckets it makes runnable. */
    private void onVersion(ParameterVersion message) throws Exception {
        if (!store.apply(message)) {
            return;
        }
        while (!waiting.isEmpty() && store.ready(waiting.firstKey(), options.staleness())) {
            Map.Entry<Long, List<SequenceStep>> bucket = waiting.pollFirstEntry();
            for (SequenceStep step : bucket.getValue()) {
                setCurrentKey(step.key());
                run(step, bucket.getKey());
            }
        }
        emitWatermark();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        inputWatermark = Math.max(inputWatermark, mark.getTimestamp());
        emitWatermark();
    }

    /** Output watermark: the input's, held just before the earliest bucket that still waits. */
    private void emitWatermark() {
        long held = inputWatermark;
        if (!waiting.isEmpty()) {
            held = Math.min(held, waiting.firstKey() * options.bucketMs() - 1);
        }
        if (held > outputWatermark) {
            outputWatermark = held;
            output.emitWatermark(new Watermark(held));
        }
    }

    @Override
    public void endInput() throws Exception {
        // A bounded run ends only after every buffered step has had its version.
        while (!waiting.isEmpty()) {
            mailbox.yield();
        }
    }

    @Override
    public void finish() throws Exception {
        ParameterChannel.unsubscribe(jobId(), subtask(), subscription);
        super.finish();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<SequenceStep> all = new ArrayList<>();
        waiting.values().forEach(all::addAll);
        waitingState.update(all);
        versionsState.update(store.log());
    }

    @Override
    public void close() throws Exception {
        if (subscription != null) {
            ParameterChannel.unsubscribe(jobId(), subtask(), subscription);
        }
        super.close();
    }
}
