package dev.bptt.steps;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Renders values for reject reasons: quoted, escaped, shortened, on one line. */
final class ReasonText {

    /** Longest string or number text shown in a reason before it is cut with "...". */
    static final int MAX_SHOWN = 64;

    private ReasonText() {}

    /** {@code s} in double quotes, JSON-escaped (so no line breaks), cut after {@link #MAX_SHOWN} chars. */
    static String quote(String s) {
        int shown = Math.min(s.length(), MAX_SHOWN);
        StringBuilder b = new StringBuilder(shown + 8).append('"');
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
        return s.length() > shown ? b.append("...").toString() : b.toString();
    }

    /** A literal token text (e.g. a number), cut after {@link #MAX_SHOWN} chars. */
    static String literal(String text) {
        return shorten(text, MAX_SHOWN);
    }

    /** {@code text} cut after {@code max} chars, marked with "...". */
    static String shorten(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "..." : text;
    }

    /** What the current value is, for "got ..." in reasons: {@code string "x"}, {@code number 1.5}, {@code an array}. */
    static String describe(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case VALUE_STRING -> "string " + quote(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + literal(p.getText());
            case VALUE_TRUE -> "boolean true";
            case VALUE_FALSE -> "boolean false";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> literal(t.asString() == null ? t.name() : t.asString());
        };
    }

    /** {@code "1 number"}, {@code "3 numbers"}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** {@code s} with every line break or other control character replaced by a space. */
    static String singleLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, ' ');
            }
        }
        return b == null ? s : b.toString();
    }
}
