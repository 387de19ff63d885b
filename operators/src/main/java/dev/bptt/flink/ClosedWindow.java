package dev.bptt.flink;

import dev.bptt.model.StepRing;

/**
 * A TBPTT window that closed and waits to run in its bucket's batch: a copy of the key's ring at
 * the close (its {@code pendingLoss} newest steps carry the window's loss terms). Kept in
 * operator state.
 */
public record ClosedWindow(long bucket, String key, StepRing ring) {}
