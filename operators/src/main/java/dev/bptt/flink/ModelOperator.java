package dev.bptt.flink;

import dev.bptt.model.ModelShape;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * What every training operator is built with: the model's shape, its initial parameters (version
 * 0, shipped with the job graph as a flat array), the training options and how many keys run as
 * one batch; and where it runs
 * (job id and subtask index, the address of its end of the parameter loop).
 */
abstract class ModelOperator<OUT> extends AbstractStreamOperator<OUT> {

    /** {@link #batchKeys} of the per-key path: every step and window runs alone. */
    public static final int PER_KEY = 0;
    /**
     * Keys per batch by default: 16 vectors of 4 lanes (AVX2) or 8 of 8 (AVX-512), past the
     * kernels' widest register blocks, while a batch's workspace stays a few kB.
     */
    public static final int DEFAULT_BATCH_KEYS = 64;

    protected final ModelShape shape;
    protected final TrainingOptions options;
    /** Most keys run together as the lanes of one batched kernel, or {@link #PER_KEY}. */
    protected final int batchKeys;
    private final double[] initialParams;

    /** An operator that runs no batched kernel. */
    protected ModelOperator(Parameters initial, TrainingOptions options) {
        this(initial, options, PER_KEY);
    }

    protected ModelOperator(Parameters initial, TrainingOptions options, int batchKeys) {
        if (batchKeys < 0) {
            throw new IllegalArgumentException("batchKeys must be >= 0 (0: per key), got " + batchKeys);
        }
        this.shape = initial.shape();
        this.initialParams = initial.toFlat();
        this.options = options;
        this.batchKeys = batchKeys;
    }

    /** A fresh copy of version 0. */
    protected Parameters initialParameters() {
        return Parameters.fromFlat(shape, initialParams);
    }

    protected String jobId() {
        return jobId(this);
    }

    protected int subtask() {
        return subtask(this);
    }

    protected int attempt() {
        return attempt(this);
    }

    static String jobId(AbstractStreamOperator<?> operator) {
        return operator.getContainingTask().getEnvironment().getJobID().toString();
    }

    static int subtask(AbstractStreamOperator<?> operator) {
        return operator.getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    /** The execution attempt: a restarted task gets its own end of the loop. */
    static int attempt(AbstractStreamOperator<?> operator) {
        return operator.getRuntimeContext().getTaskInfo().getAttemptNumber();
    }
}
