package dev.bptt.job;

/** Stable operator uids: state is restored by these names. Never change one that has shipped. */
public final class OperatorIds {
    public static final String RECORDS = "step-records";
    public static final String PARSE = "parse-steps";
    public static final String CHECK = "check-steps";
    public static final String WATERMARKS = "bucket-watermarks";
    public static final String FORWARD = "forward-step";
    public static final String BACKWARD = "tbptt-backward";
    public static final String UPDATE = "parameter-update";
    public static final String FEEDBACK = "parameter-feedback";
    public static final String KAFKA_STEPS = "kafka-steps";
    public static final String PUBLISHED_VERSIONS = "published-versions";
    public static final String KAFKA_PARAMS = "kafka-params";
    public static final String KAFKA_PREDICTIONS = "kafka-predictions";
    public static final String KAFKA_DEAD_LETTERS = "kafka-dead-letters";
    public static final String PRINT_DEAD_LETTERS = "print-dead-letters";
    /** The loop's tail with {@code --loop kafka}: loop messages to the loop topic. */
    public static final String KAFKA_LOOP = "kafka-loop";
    /** The cluster job's steps file source and its result sinks. */
    public static final String STEPS_SOURCE = "steps-source";
    public static final String PARAMETER_FILES = "parameter-files";
    public static final String DEAD_LETTER_FILE = "dead-letter-file";
    /** Co-location group of ForwardStep and the loop's tail (same slot, same JVM). */
    public static final String LOOP = "parameter-loop";

    private OperatorIds() {}
}
