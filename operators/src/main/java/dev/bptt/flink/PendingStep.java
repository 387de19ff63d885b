package dev.bptt.flink;

import dev.bptt.steps.SequenceStep;

/**
 * What ForwardStep holds back until its bucket's parameter version is known: a step, or the
 * expiry of a key's sequence (idle timeout) at {@code expiryTime}. Kept in operator state.
 *
 * @param step the step, or null for an expiry
 * @param expiredKey the key whose sequence expired, or null for a step
 */
public record PendingStep(long bucket, SequenceStep step, String expiredKey, long expiryTime) {

    static PendingStep of(long bucket, SequenceStep step) {
        return new PendingStep(bucket, step, null, 0);
    }

    static PendingStep expiry(long bucket, String key, long time) {
        return new PendingStep(bucket, null, key, time);
    }

    String key() {
        return step != null ? step.key() : expiredKey;
    }
}
