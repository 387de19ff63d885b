package dev.bptt.records;

/**
 * A rejected input record and why.
 *
 * @param reason {@code code: detail}, e.g. {@code wrong_dimension: input has 3 numbers, expected 2}
 * @param record the original record text, or its bytes in base64 when they are not UTF-8
 * @param base64 true when {@code record} is base64
 * @param origin where it came from ({@code topic/partition/offset}), or "" when unknown
 */
public record DeadLetter(String reason, String record, boolean base64, String origin) {}
