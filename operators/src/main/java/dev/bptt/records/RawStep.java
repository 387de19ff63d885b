package dev.bptt.records;

import java.nio.charset.StandardCharsets;

/**
 * A step record as a source delivers it, before parsing: its bytes (UTF-8 JSON, CONTRACT.md §2)
 * and where it came from, for dead letters.
 *
 * @param origin e.g. {@code topic/partition/offset}, or "" when unknown
 */
public record RawStep(byte[] value, String origin) {

    /** A line of text with no known origin. */
    public static RawStep ofText(String line) {
        return new RawStep(line.getBytes(StandardCharsets.UTF_8), "");
    }
}
