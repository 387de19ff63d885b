/**
 * Sinks that write a run's results into a folder every process of a cluster can write (a shared
 * file system): the newest parameters ({@code params-final.npz}, replaced atomically), one
 * metrics row per version ({@code metrics.csv}) and the dead letters ({@code dead-letters.jsonl}).
 * The appended files are cut back to their checkpointed length on a restore, so a replay leaves
 * each row once.
 */
package dev.bptt.connectors.files;
