package dev.bptt.flink;

import dev.bptt.model.OptimizerState;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.model.UpdateRule;
import dev.bptt.records.GradientPartial;
import dev.bptt.loop.SentVersions;
import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GradientSum's global half and the update, at parallelism 1: collects every subtask's partial
 * sum of a bucket; when the watermark passes the bucket's end, adds them in subtask order and
 * makes one update ({@link UpdateRule}: reduction, clipping, SGD/Adam) if the bucket has loss
 * terms. The main output carries each new {@link ParameterVersion} once (for sinks); the
 * {@link #LOOP} side output carries what the forward operators need: the new versions, a progress
 * message whenever the watermark completes more buckets (which lets them release the next
 * buckets), and after a restore what they may have missed. The end-of-input windows make one last
 * update after every bucket's. State: the parameters, the optimizer state, the version counter,
 * the partials not yet applied and the loop messages kept for a restore.
 */
public final class ParameterUpdate extends ModelOperator<ParameterVersion>
        implements OneInputStreamOperator<GradientPartial, ParameterVersion>, BoundedOneInput {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterUpdate.class);

    /** Snapshot of everything but the pending partials. */
    public record UpdateState(long version, long completedThrough, double[] params, OptimizerState optimizer) {}


    /** Every message for the forward operators: updates, completions, re-sends after a restore. */
    public static final OutputTag<ParameterVersion> LOOP = new OutputTag<>("parameter-loop",
            TypeInformation.of(ParameterVersion.class));

    private transient ListState<UpdateState> updateState;
    private transient ListState<GradientPartial> pendingState;
    /** Loop messages a restored forward subtask may miss (re-sent on restore). */
    private transient ListState<ParameterVersion> sentState;
    private transient SentVersions sent;
    private transient boolean restored;
    /** After a restore, the loop messages go out again at the first watermark too (idempotent). */
    private transient boolean resendOnFirstWatermark;
    /** The last update's mean loss, gradient norm and staleness (metrics). */
    private transient double lastLoss = Double.NaN;
    private transient double lastNorm = Double.NaN;
    private transient long lastStaleness;
    /** The divergence warning is logged once per subtask attempt. */
    private transient boolean divergenceReported;

    private transient Parameters params;
    private transient UpdateRule rule;
    private transient long version;
    private transient long completedThrough;
    private transient TreeMap<Long, List<GradientPartial>> pending;

    public ParameterUpdate(Parameters initial, TrainingOptions options) {
        super(initial, options);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        updateState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("update", UpdateState.class));
        pendingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("pending", GradientPartial.class));
        params = initialParameters();
        rule = options.newUpdateRule();
        completedThrough = Long.MIN_VALUE;
        pending = new TreeMap<>();
        for (UpdateState s : updateState.get()) {
            version = s.version();
            completedThrough = s.completedThrough();
            params = Parameters.fromFlat(shape, s.params());
            rule.optimizer().restore(s.optimizer());
        }
        for (GradientPartial p : pendingState.get()) {
            pending.computeIfAbsent(p.bucket(), b -> new ArrayList<>()).add(p);
        }
        sentState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("sent", ParameterVersion.class));
        sent = new SentVersions();
        sentState.get().forEach(sent::sent);
        restored = context.isRestored();
        resendOnFirstWatermark = restored;
    }

    /**
     * After a restore, sends the forward subtasks again what they may have missed; they apply
     * only what is new to them.
     */
    @Override
    public void open() throws Exception {
        super.open();
        getMetricGroup().gauge(Metrics.VERSION, () -> version);
        getMetricGroup().gauge(Metrics.LOSS, () -> lastLoss);
        getMetricGroup().gauge(Metrics.GRADIENT_NORM, () -> lastNorm);
        getMetricGroup().gauge(Metrics.STALENESS, () -> lastStaleness);
        if (restored) {
            resend();
        }
    }

    @Override
    public void processElement(StreamRecord<GradientPartial> element) {
        GradientPartial p = element.getValue();
        FaultInjection.onRecord(FaultInjection.UPDATE);
        pending.computeIfAbsent(p.bucket(), b -> new ArrayList<>()).add(p);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (resendOnFirstWatermark) {
            resendOnFirstWatermark = false;
            resend();
        }
        long complete = mark.getTimestamp() == Long.MAX_VALUE
                ? GradientPartial.END_OF_INPUT - 1
                : Math.floorDiv(mark.getTimestamp() + 1, options.bucketMs()) - 1;
        while (!pending.isEmpty() && pending.firstKey() <= complete) {
            Map.Entry<Long, List<GradientPartial>> bucket = pending.pollFirstEntry();
            applyBucket(bucket.getKey(), bucket.getValue(), complete);
        }
        if (complete > completedThrough) {
            completedThrough = complete;
            loop(new ParameterVersion(version, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0));
        }
        output.emitWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        List<GradientPartial> last = pending.remove(GradientPartial.END_OF_INPUT);
        if (last != null) {
            applyBucket(GradientPartial.END_OF_INPUT, last, GradientPartial.END_OF_INPUT);
        }
    }

    /** Sums a bucket's partials in subtask order and makes one update if it has loss terms. */
    private void applyBucket(long bucket, List<GradientPartial> partials, long complete) {
        partials.sort(Comparator.comparingInt(GradientPartial::subtask));
        Parameters sum = params.zerosLike();
        double lossSum = 0;
        long terms = 0;
        long steps = 0;
        long minVersion = -1;
        for (GradientPartial p : partials) {
            sum.addInPlace(Parameters.fromFlat(shape, p.gradient()));
            lossSum += p.lossSum();
            terms += p.lossTerms();
            steps += p.steps();
            if (p.minVersion() >= 0) {
                minVersion = minVersion < 0 ? p.minVersion() : Math.min(minVersion, p.minVersion());
            }
        }
        if (!UpdateRule.makesStep(terms)) {
            return;
        }
        double norm = rule.apply(params, sum, terms);
        if (!Double.isFinite(norm) && !divergenceReported) {
            divergenceReported = true;
            LOG.warn("bucket {}: the gradient norm is {}: the model has diverged (lower --lr, or set --clip-norm); "
                    + "versions go on, with non-finite parameters", bucket, norm);
        }
        long staleness = minVersion < 0 ? 0 : version - minVersion;
        version++;
        long through = bucket == GradientPartial.END_OF_INPUT ? bucket : Math.max(completedThrough, bucket);
        lastLoss = lossSum / terms;
        lastNorm = norm;
        lastStaleness = staleness;
        ParameterVersion made = new ParameterVersion(version, through, bucket, params.toFlat(), lossSum, terms, norm,
                steps, staleness);
        output.collect(new StreamRecord<>(made));
        loop(made);
    }

    /** Sends the forward subtasks again what they may have missed; they apply only what is new to them. */
    private void resend() {
        for (ParameterVersion message : sent.replay()) {
            output.collect(LOOP, new StreamRecord<>(message));
        }
    }

    /** Sends a message into the loop and remembers it for a restore. */
    private void loop(ParameterVersion message) {
        sent.sent(message);
        output.collect(LOOP, new StreamRecord<>(message));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        updateState.update(List.of(new UpdateState(version, completedThrough, params.toFlat(),
                rule.optimizer().snapshot())));
        List<GradientPartial> all = new ArrayList<>();
        pending.values().forEach(all::addAll);
        pendingState.update(all);
        sentState.update(sent.snapshot(context.getCheckpointId()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        sent.checkpointCompleted(checkpointId);
        FaultInjection.onCheckpointComplete(FaultInjection.UPDATE);
    }
}
