package dev.bptt.job;

import dev.bptt.model.ModelShape;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A steps topic's content for the Kafka tests: valid steps in time order with bad records of
 * several kinds among them (malformed JSON, bytes that are not UTF-8, wrong dimension, NaN, a step
 * out of order), each record keyed by its sequence key.
 */
final class KafkaInputs {

    /** A bad record: its bytes, where it is in the topic, the reason code its dead letter must start with. */
    record Bad(byte[] value, int index, String code) {
        String text() {
            return new String(value, StandardCharsets.UTF_8);
        }

        /** Whether the value is UTF-8 text (then the dead letter keeps it as is, else as base64). */
        boolean utf8() {
            return value[0] != (byte) 0xff;
        }
    }

    /** The records in input order (index = offset in a fresh one-partition topic). */
    record Input(List<SequenceStep> valid, List<byte[]> values, List<String> keys, List<Bad> bad) {

        List<ProducerRecord<byte[], byte[]>> records(String topic) {
            return recordsByPartition(topic, 1);
        }

        /**
         * The records spread over {@code partitions} partitions by their key (each sequence in one
         * partition, in its order), written one partition after the other: all of partition 0 first,
         * then all of 1, and so on, so that a reader meets one partition's whole time range before the
         * next one's.
         */
        List<ProducerRecord<byte[], byte[]>> recordsByPartition(String topic, int partitions) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < values.size(); i++) {
                    if (partition(i, partitions) == p) {
                        records.add(new ProducerRecord<>(topic, p, keys.get(i).getBytes(StandardCharsets.UTF_8),
                                values.get(i)));
                    }
                }
            }
            return records;
        }

        /** The partition of record {@code i} in a topic of {@code partitions}: chosen by its key. */
        int partition(int i, int partitions) {
            return Math.floorMod(keys.get(i).hashCode(), partitions);
        }

        /** The offset of record {@code i} in its partition of a fresh topic of {@code partitions}. */
        long offset(int i, int partitions) {
            int p = partition(i, partitions);
            return IntStream.range(0, i).filter(j -> partition(j, partitions) == p).count();
        }

        /** The records that are text, as lines of a steps file (the one binary record cannot be a line). */
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                byte[] v = values.get(i);
                if (v[0] != (byte) 0xff) {
                    lines.add(new String(v, StandardCharsets.UTF_8));
                }
            }
            return lines;
        }
    }

    private KafkaInputs() {}

    /**
     * {@code valid} (in time order) with one bad record of each kind after the valid record at
     * 10%, 25%, 40%, 55%, 70% and 85% of the input. Records rejected per key use the time of the
     * record before them (the latest so far, never late) and leave the key's progress unchanged.
     */
    static Input withBadRecords(List<SequenceStep> valid, ModelShape shape) {
        String zeros = "[" + "0.5,".repeat(shape.inputSize() - 1) + "0.5]";
        List<Kind> kinds = List.of(
                new Kind(0.10, "malformed_json", s -> Optional.of(bytes("{\"key\":\"" + s.key() + "\",\"step\":"))),
                new Kind(0.25, "malformed_json", s -> Optional.of(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'})),
                new Kind(0.40, "wrong_dimension", s -> Optional.of(bytes(StepJson.write(new SequenceStep(s.key(),
                        s.step() + 1, s.time(), new double[shape.inputSize() + 1], null, SequenceStep.NO_CLASS, false))))),
                new Kind(0.55, "non_finite", s -> Optional.of(bytes("{\"key\":\"" + s.key() + "\",\"step\":"
                        + (s.step() + 1) + ",\"time\":" + s.time() + ",\"input\":" + zeros.replaceFirst("0.5", "NaN")
                        + "}"))),
                new Kind(0.70, "step_out_of_order", s -> s.last() ? Optional.empty() : Optional.of(bytes(StepJson.write(
                        new SequenceStep(s.key(), s.step() + 2, s.time(), s.input(), null, SequenceStep.NO_CLASS,
                                false))))),
                new Kind(0.85, "malformed_json", s -> Optional.of(bytes("not json"))));
        List<byte[]> values = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<Bad> bad = new ArrayList<>();
        List<Kind> waiting = new ArrayList<>(kinds);
        for (int i = 0; i < valid.size(); i++) {
            SequenceStep s = valid.get(i);
            values.add(bytes(StepJson.write(s)));
            keys.add(s.key());
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Kind kind = it.next();
                if (i < kind.from() * valid.size()) {
                    continue;
                }
                Optional<byte[]> value = kind.make().apply(s);
                if (value.isPresent()) {
                    bad.add(new Bad(value.get(), values.size(), kind.code()));
                    values.add(value.get());
                    keys.add(s.key());
                    it.remove();
                }
            }
        }
        if (!waiting.isEmpty()) {
            throw new IllegalStateException("bad records that found no place: " + waiting.size());
        }
        return new Input(valid, values, keys, bad);
    }

    private record Kind(double from, String code, Function<SequenceStep, Optional<byte[]>> make) {}

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A long steady input: {@code keys} sequences of {@code steps} steps each, one step per key every
     * {@code spacingMs}, keys staggered, a target at every other step: many buckets, so a run lasts
     * long enough for checkpoints to complete while it trains.
     */
    static List<SequenceStep> steady(ModelShape shape, int keys, int steps, long spacingMs, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<SequenceStep> all = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            for (int k = 0; k < keys; k++) {
                double[] x = random.doubles(shape.inputSize(), -1, 1).toArray();
                double[] target = t % 2 == 0 ? random.doubles(shape.outputSize(), -1, 1).toArray() : null;
                all.add(new SequenceStep("key-" + k, t, 1_000_000 + t * spacingMs + k, x, target,
                        SequenceStep.NO_CLASS, t == steps - 1));
            }
        }
        return all;
    }
}
