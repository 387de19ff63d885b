package dev.bptt.flink;

/**
 * Names of the job's metrics, registered on each operator's metric group (so they appear in the
 * REST API and reporters as e.g. {@code <operator>.steps}; Prometheus:
 * {@code flink_taskmanager_job_task_operator_steps}).
 */
public final class Metrics {
    /** ForwardStep: steps whose forward pass ran (counter). */
    public static final String STEPS = "steps";
    /** ForwardStep: records rejected to the dead letters (counter). */
    public static final String DEAD_LETTERS = "deadLetters";
    /** ForwardStep: steps waiting for their parameter version (gauge). */
    public static final String WAITING = "stepsWaitingForParameters";
    /** ForwardStep: newest version received; ParameterUpdate: newest version made (gauge). */
    public static final String VERSION = "parameterVersion";
    /** ForwardStep: keys whose progress and s_{t-1} are held in memory (gauge; the rest are in keyed state alone). */
    public static final String HELD_KEYS = "heldKeys";
    /** TbpttBackward: windows closed (counter). */
    public static final String WINDOWS = "windows";
    /** TbpttBackward: keys whose rings are held in memory (gauge; the rest are in keyed state alone). */
    public static final String HELD_RINGS = "heldRings";
    /** ParameterUpdate: mean loss of the last update (gauge). */
    public static final String LOSS = "loss";
    /** ParameterUpdate: gradient norm of the last update, before clipping (gauge). */
    public static final String GRADIENT_NORM = "gradientNorm";
    /** ParameterUpdate: versions between the oldest one the last update's steps used and the new one (gauge). */
    public static final String STALENESS = "staleness";

    private Metrics() {}
}
