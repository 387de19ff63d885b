package dev.bptt.job;

/** Stable operator uids: state is restored by these names. Never change one that has shipped. */
public final class OperatorIds {
    public static final String PARSE = "parse-steps";
    public static final String WATERMARKS = "bucket-watermarks";
    public static final String FORWARD = "forward-step";
    public static final String BACKWARD = "tbptt-backward";
    public static final String UPDATE = "parameter-update";
    public static final String FEEDBACK = "parameter-feedback";
    /** The cluster job's steps file source and its result sinks. */
    public static final String STEPS_SOURCE = "steps-source";
    public static final String PARAMETER_FILES = "parameter-files";
    public static final String DEAD_LETTER_FILE = "dead-letter-file";
    /** Co-location group of ForwardStep and the loop's tail (same slot, same JVM). */
    public static final String LOOP = "parameter-loop";

    private OperatorIds() {}
}
