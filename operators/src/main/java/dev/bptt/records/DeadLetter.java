package dev.bptt.records;

/**
 * A rejected input record and why.
 *
 * @param reason {@code code: detail}, e.g. {@code wrong_dimension: input has 3 numbers, expected 2}
 * @param record the original record text; for a reject after parsing (order, duplicate, late) the parsed
 *     step written back as JSON by {@code StepJson}, the same text when the record came from that writer
 * @param origin where it came from (e.g. {@code file.jsonl:12} or {@code topic/partition/offset}), or ""
 */
public record DeadLetter(String reason, String record, String origin) {}
