/**
 * The parameter loop: the versions a forward subtask knows ({@link dev.bptt.loop.VersionStore})
 * and the in-JVM channel that carries them back from ParameterUpdate
 * ({@link dev.bptt.loop.ParameterChannel}). Plain Java.
 */
package dev.bptt.loop;
