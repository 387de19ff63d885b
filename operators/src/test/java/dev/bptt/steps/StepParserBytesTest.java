package dev.bptt.steps;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Raw byte input (Kafka values, file lines): strict UTF-8, huge numbers, very long arrays. */
class StepParserBytesTest {

    private final StepParser parser = new StepParser(new StepSchema(2, 1, false, true));

    private BadStepException rejectionOf(byte[] bytes) {
        BadStepException e = catchThrowableOfType(BadStepException.class, () -> parser.parse(bytes, 0, bytes.length));
        assertThat(e).isNotNull();
        return e;
    }

    private BadStepException rejectionOf(String json) {
        byte[] bytes = json.getBytes(UTF_8);
        return rejectionOf(bytes);
    }

    /** {"key":"<prefix bytes><bad bytes>","step":0,"time":1,"input":[1,2]} */
    private static byte[] recordWithKeyBytes(int... keyBytes) {
        byte[] head = "{\"key\":\"".getBytes(UTF_8);
        byte[] tail = "\",\"step\":0,\"time\":1,\"input\":[1,2]}".getBytes(UTF_8);
        byte[] out = new byte[head.length + keyBytes.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        for (int i = 0; i < keyBytes.length; i++) {
            out[head.length + i] = (byte) keyBytes[i];
        }
        System.arraycopy(tail, 0, out, head.length + keyBytes.length, tail.length);
        return out;
    }

    @Test
    void wellFormedMultiByteKeysAreAccepted() throws BadStepException {
        // "é" (2 bytes), "€" (3 bytes), U+1D11E (4 bytes)
        byte[] bytes = recordWithKeyBytes(0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9D, 0x84, 0x9E);

        assertThat(parser.parse(bytes, 0, bytes.length).key()).isEqualTo("\u00e9\u20ac\uD834\uDD1E");
    }

    @Test
    void aByteThatIsNeverUtf8IsMalformedAndItsOffsetIsReported() {
        BadStepException e = rejectionOf(recordWithKeyBytes('a', 0xFF));

        assertThat(e.getMessage()).isEqualTo("malformed_json: invalid UTF-8 byte 0xFF at byte 9");
    }

    @Test
    void aLoneContinuationByteIsMalformed() {
        assertThat(rejectionOf(recordWithKeyBytes(0x80)).reason()).isEqualTo("invalid UTF-8 byte 0x80 at byte 8");
    }

    @Test
    void anOverlongEncodingIsMalformed() {
        // 0xC0 0xAF would be an overlong '/'
        assertThat(rejectionOf(recordWithKeyBytes(0xC0, 0xAF)).reason()).isEqualTo("invalid UTF-8 byte 0xC0 at byte 8");
        // 0xE0 0x80 0xAF likewise
        assertThat(rejectionOf(recordWithKeyBytes(0xE0, 0x80, 0xAF)).reason())
                .isEqualTo("invalid UTF-8 byte 0x80 at byte 9");
    }

    @Test
    void anEncodedSurrogateIsMalformed() {
        assertThat(rejectionOf(recordWithKeyBytes(0xED, 0xA0, 0x80)).reason())
                .isEqualTo("invalid UTF-8 byte 0xA0 at byte 9");
    }

    @Test
    void aCodePointAboveU10ffffIsMalformed() {
        assertThat(rejectionOf(recordWithKeyBytes(0xF4, 0x90, 0x80, 0x80)).kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(rejectionOf(recordWithKeyBytes(0xF5, 0x80, 0x80, 0x80)).kind()).isEqualTo(RejectKind.MALFORMED_JSON);
    }

    @Test
    void aMultiByteSequenceCutShortIsMalformed() {
        assertThat(rejectionOf(recordWithKeyBytes(0xE2, 0x82, 'x')).reason())
                .isEqualTo("invalid UTF-8 byte 0x78 at byte 10");
        byte[] cutAtEnd = {'{', (byte) 0xE2, (byte) 0x82};
        assertThat(rejectionOf(cutAtEnd).reason()).isEqualTo("invalid UTF-8 byte 0xE2 at byte 1");
    }

    @Test
    void invalidBytesOutsideStringsAreMalformedToo() {
        assertThat(rejectionOf(new byte[] {(byte) 0xFE, (byte) 0xFF, '{', '}'}).reason())
                .isEqualTo("invalid UTF-8 byte 0xFE at byte 0");
    }

    @Test
    void utf16EncodedJsonIsNotAccepted() {
        BadStepException e = rejectionOf(
                "{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2]}".getBytes(StandardCharsets.UTF_16LE));

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).isEqualTo("NUL byte at byte 1 (records must be UTF-8 JSON)");
    }

    @Test
    void onlyTheGivenSliceIsRead() throws BadStepException {
        byte[] record = "{\"key\":\"a\",\"step\":3,\"time\":1,\"input\":[1,2]}".getBytes(UTF_8);
        byte[] buffer = new byte[record.length + 2];
        buffer[0] = (byte) 0xFF;
        System.arraycopy(record, 0, buffer, 1, record.length);
        buffer[buffer.length - 1] = (byte) 0x80;

        assertThat(parser.parse(buffer, 1, record.length).step()).isEqualTo(3);
        assertThatThrownBy(() -> parser.parse(buffer, 0, record.length)).isInstanceOf(BadStepException.class);
    }

    @Test
    void anEmptySliceIsAnEmptyRecord() {
        BadStepException e = catchThrowableOfType(BadStepException.class, () -> parser.parse(new byte[8], 3, 0));

        assertThat(e.getMessage()).isEqualTo("malformed_json: empty record, expected a JSON object");
    }

    @Test
    void aNullValueIsMalformedNotACrash() {
        BadStepException e = catchThrowableOfType(BadStepException.class, () -> parser.parse(null, 0, 0));

        assertThat(e.getMessage()).isEqualTo("malformed_json: record is null");
    }

    @Test
    void aRangeOutsideTheArrayIsAProgrammingError() {
        assertThatThrownBy(() -> parser.parse(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void numbersThatOverflowADoubleAreNonFinite() {
        String digits400 = "9".repeat(400);

        assertThat(rejectionOf("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,1e400]}").getMessage())
                .isEqualTo("non_finite: input[1] is 1e400, which overflows to Infinity");
        BadStepException e = rejectionOf("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[-" + digits400 + ",1]}");
        assertThat(e.kind()).isEqualTo(RejectKind.NON_FINITE);
        assertThat(e.reason())
                .isEqualTo("input[0] is -" + "9".repeat(63) + "..., which overflows to -Infinity")
                .hasSizeLessThan(120);
    }

    @Test
    void hugeIntegersForStepAndTimeDoNotFitInALong() {
        String big = "1" + "0".repeat(30);

        assertThat(rejectionOf("{\"key\":\"a\",\"step\":" + big + ",\"time\":1,\"input\":[1,2]}").getMessage())
                .isEqualTo("wrong_type: \"step\" " + big + " does not fit in a long");
        assertThat(rejectionOf("{\"key\":\"a\",\"step\":0,\"time\":" + big + ",\"input\":[1,2]}").getMessage())
                .isEqualTo("wrong_type: \"time\" " + big + " does not fit in a long");
    }

    @Test
    void aNumberLongerThanTheJsonParserAllowsIsMalformed() {
        BadStepException e = rejectionOf("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1," + "7".repeat(5000) + "]}");

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).contains("length").hasSizeLessThan(300);
    }

    @Test
    void aVeryLongInputArrayIsCountedExactlyInTheReason() {
        StringBuilder json = new StringBuilder("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[0");
        for (int i = 1; i < 1_000_000; i++) {
            json.append(",0.25");
        }
        json.append("]}");

        assertThat(rejectionOf(json.toString()).getMessage())
                .isEqualTo("wrong_dimension: input has 1000000 numbers, expected 2");
    }

    @Test
    void aNonFiniteNumberFarPastTheExpectedLengthIsStillReported() {
        assertThat(rejectionOf("{\"key\":\"a\",\"step\":0,\"time\":1,\"input\":[1,2,3,4,NaN]}").getMessage())
                .isEqualTo("non_finite: input[4] is NaN");
    }

    @Test
    void aVeryLongKeyIsShortenedInReasons() {
        String key = "k".repeat(10_000);

        BadStepException e = rejectionOf("{\"key\":\"" + key + "\",\"step\":0,\"time\":1,\"input\":[1,2],\"last\":\""
                + key + "\"}");

        assertThat(e.reason()).isEqualTo("\"last\" must be a boolean, got string \"" + "k".repeat(64) + "\"...");
    }
}
