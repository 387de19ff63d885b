package dev.bptt.steps;

/**
 * Strict UTF-8 check of raw record bytes: well-formed sequences only (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and no NUL byte, which never occurs in UTF-8 JSON and would
 * otherwise let the JSON parser guess UTF-16/32.
 */
final class Utf8 {

    private Utf8() {}

    /** The index (relative to {@code offset}) of the first byte that breaks the rule, or -1. */
    static int firstInvalid(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int c = b[i];
            if (c > 0) {
                i++;
                continue;
            }
            if (c == 0) {
                return i - offset;
            }
            c &= 0xff;
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (c < 0xc2) {
                return i - offset; // continuation byte as lead, or overlong 2-byte form
            } else if (c < 0xe0) {
                more = 1;
            } else if (c < 0xf0) {
                more = 2;
                if (c == 0xe0) {
                    lo = 0xa0; // overlong
                } else if (c == 0xed) {
                    hi = 0x9f; // surrogates
                }
            } else if (c < 0xf5) {
                more = 3;
                if (c == 0xf0) {
                    lo = 0x90; // overlong
                } else if (c == 0xf4) {
                    hi = 0x8f; // above U+10FFFF
                }
            } else {
                return i - offset;
            }
            if (i + more >= end) {
                return i - offset; // truncated sequence
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i + 1 - offset;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xc0) != 0x80) {
                    return i + k - offset;
                }
            }
            i += more + 1;
        }
        return -1;
    }
}
