package dev.bptt.connectors.kafka;

/**
 * Where a record was read: the {@code topic/partition/offset} string that {@link
 * dev.bptt.records.RawStep#origin()} carries, and back.
 *
 * @param topic null when unknown
 * @param partition -1 when unknown
 * @param offset -1 when unknown
 */
public record Origin(String topic, int partition, long offset) {

    /** What a record without a known origin has. */
    public static final Origin UNKNOWN = new Origin(null, -1, -1);

    /** {@code topic/partition/offset}. */
    public static String format(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /**
     * Parses {@code topic/partition/offset} (topic names cannot contain '/'); "" or anything else
     * that is not of that form is {@link #UNKNOWN}.
     */
    public static Origin parse(String origin) {
        if (origin == null) {
            return UNKNOWN;
        }
        int second = origin.lastIndexOf('/');
        int first = second <= 0 ? -1 : origin.lastIndexOf('/', second - 1);
        if (first <= 0) {
            return UNKNOWN;
        }
        try {
            return new Origin(origin.substring(0, first), Integer.parseInt(origin.substring(first + 1, second)),
                    Long.parseLong(origin.substring(second + 1)));
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }
}
