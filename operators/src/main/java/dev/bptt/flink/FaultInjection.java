package dev.bptt.flink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test seam for failure tests on a MiniCluster (one JVM): a test arms an operator to throw once,
 * after some records, either before any checkpoint completed or after one did. Unarmed (always,
 * outside such tests) it costs one check of an empty map per record.
 */
public final class FaultInjection {

    /** Operator names the seam knows. */
    public static final String FORWARD = "forward";
    public static final String BACKWARD = "backward";
    public static final String UPDATE = "update";
    public static final String LOOP = "loop";

    /** When to throw: after {@code afterRecords} records, before or after a completed checkpoint. */
    private record Trigger(long afterRecords, boolean afterCheckpoint, AtomicLong seen, AtomicBoolean checkpointed,
            AtomicBoolean fired) {}

    private static final Map<String, Trigger> ARMED = new ConcurrentHashMap<>();

    private FaultInjection() {}

    /** Arms {@code operator} to throw once (on any subtask) after {@code afterRecords} records. */
    public static void arm(String operator, long afterRecords, boolean afterCheckpoint) {
        ARMED.put(operator, new Trigger(afterRecords, afterCheckpoint, new AtomicLong(), new AtomicBoolean(),
                new AtomicBoolean()));
    }

    /** True once the armed failure of {@code operator} was thrown. */
    public static boolean fired(String operator) {
        Trigger t = ARMED.get(operator);
        return t != null && t.fired().get();
    }

    /** Disarms everything. */
    public static void reset() {
        ARMED.clear();
    }

    /** Called by {@code operator} for each record; throws the armed failure when it is due. */
    static void onRecord(String operator) {
        if (ARMED.isEmpty()) {
            return;
        }
        Trigger t = ARMED.get(operator);
        if (t == null || t.fired().get() || t.seen().incrementAndGet() <= t.afterRecords()
                || t.checkpointed().get() != t.afterCheckpoint()) {
            return;
        }
        if (t.fired().compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure in " + operator + " after " + t.seen().get()
                    + " records, " + (t.afterCheckpoint() ? "after" : "before") + " a completed checkpoint");
        }
    }

    /** Called by {@code operator} when a checkpoint completed. */
    static void onCheckpointComplete(String operator) {
        if (!ARMED.isEmpty()) {
            Trigger t = ARMED.get(operator);
            if (t != null) {
                t.checkpointed().set(true);
            }
        }
    }
}
