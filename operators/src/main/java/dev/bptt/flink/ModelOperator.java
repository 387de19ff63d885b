package dev.bptt.flink;

import dev.bptt.model.ModelShape;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * What every training operator is built with: the model's shape, its initial parameters (version
 * 0, shipped with the job graph as a flat array) and the training options; and where it runs
 * (job id and subtask index, the address of its end of the parameter loop).
 */
abstract class ModelOperator<OUT> extends AbstractStreamOperator<OUT> {

    protected final ModelShape shape;
    protected final TrainingOptions options;
    private final double[] initialParams;

    protected ModelOperator(Parameters initial, TrainingOptions options) {
        this.shape = initial.shape();
        this.initialParams = initial.toFlat();
        this.options = options;
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
