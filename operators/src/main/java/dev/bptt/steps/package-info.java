/**
 * Sequence step records: their JSON line format, parsing and per-key order rules. Flink-free.
 *
 * <p>One record is one JSON object (one line in a file, one Kafka record value):
 *
 * <pre>{@code
 * {"key":"sensor-7","step":0,"time":1700000000000,"input":[0.1,-2.0],"target":[0.5],"last":false}
 * }</pre>
 *
 * <ul>
 *   <li>{@code key}: string, required, non-empty; names one sequence.
 *   <li>{@code step}: JSON integer &gt;= 0, required; 0, 1, 2, ... without gaps, in order per key.
 *   <li>{@code time}: JSON integer, event time in epoch ms, non-decreasing per key; required when
 *       {@link dev.bptt.steps.StepSchema#timeRequired()}, otherwise optional.
 *   <li>{@code input}: array of exactly {@link dev.bptt.steps.StepSchema#inputSize()} finite
 *       numbers, required.
 *   <li>{@code target}: optional; an array of {@link dev.bptt.steps.StepSchema#outputSize()}
 *       finite numbers (loss {@code mse}) or an integer class in {@code [0, outputSize)} (loss
 *       {@code xent}); absent or {@code null} means no loss at this step.
 *   <li>{@code last}: optional boolean (absent or {@code null} = false); the step ends its
 *       sequence and the key may start again at step 0.
 * </ul>
 *
 * <p>Unknown fields are ignored. Everything else that does not fit is rejected with a {@link
 * dev.bptt.steps.BadStepException} carrying a {@link dev.bptt.steps.RejectKind} and a one-line
 * reason naming the field and the values involved.
 *
 * <p>Roles: {@link dev.bptt.steps.StepParser} checks one record on its own (shape, types,
 * dimensions, finiteness); {@link dev.bptt.steps.StepOrder} checks a record against what was
 * seen before for its key ({@link dev.bptt.steps.KeyProgress}).
 */
package dev.bptt.steps;
