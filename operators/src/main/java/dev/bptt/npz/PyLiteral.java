package dev.bptt.npz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the small subset of Python literal syntax used by {@code .npy} headers.
 *
 * <p>Supported: dicts, tuples, lists, single- or double-quoted strings, integers, {@code True},
 * {@code False} and {@code None}, with arbitrary whitespace and trailing commas. Values map to
 * {@link Map} (insertion ordered), {@link Tuple}, {@link List}, {@link String}, {@link Long},
 * {@link Boolean} and {@link #NONE}. Anything after the literal other than whitespace is an
 * error. Errors are {@link IllegalArgumentException}s naming the offending offset.
 */
final class PyLiteral {

  /** Python's {@code None}. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /** A Python tuple; kept apart from lists because a {@code .npy} shape must be a tuple. */
  record Tuple(List<Object> items) {}

  private final String text;
  private int pos;
  /** Whether the most recently closed sequence had a comma after its last item. */
  private boolean lastSequenceEndedWithComma;

  private PyLiteral(String text) {
    this.text = text;
  }

  /** Parses {@code text} as one literal surrounded only by whitespace. */
  static Object parse(String text) {
    PyLiteral parser = new PyLiteral(text);
    Object value = parser.value();
    parser.skipWhitespace();
    if (parser.pos < text.length()) {
      throw parser.error("unexpected trailing text");
    }
    return value;
  }

  private Object value() {
    skipWhitespace();
    if (pos >= text.length()) {
      throw error("unexpected end of text");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return dict();
      case '(':
        return parenthesized();
      case '[':
        return new ArrayList<>(sequence('[', ']'));
      case '\'':
      case '"':
        return string(c);
      default:
        if (c == '-' || c == '+' || isDigit(c)) {
          return integer();
        }
        return keyword();
    }
  }

  private Map<Object, Object> dict() {
    Map<Object, Object> map = new LinkedHashMap<>();
    pos++; // '{'
    while (true) {
      skipWhitespace();
      if (peek() == '}') {
        pos++;
        return map;
      }
      Object key = value();
      skipWhitespace();
      expect(':');
      Object val = value();
      if (map.put(key, val) != null) {
        throw error("duplicate key " + key);
      }
      skipWhitespace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != '}') {
        throw error("expected ',' or '}'");
      }
    }
  }

  /** A tuple, or a plain parenthesized value when there is exactly one item and no comma. */
  private Object parenthesized() {
    List<Object> items = sequence('(', ')');
    if (items.size() == 1 && !lastSequenceEndedWithComma) {
      return items.get(0);
    }
    return new Tuple(List.copyOf(items));
  }

  private List<Object> sequence(char open, char close) {
    List<Object> items = new ArrayList<>();
    boolean comma = false;
    pos++; // open
    while (true) {
      skipWhitespace();
      if (peek() == close) {
        pos++;
        lastSequenceEndedWithComma = comma;
        return items;
      }
      items.add(value());
      skipWhitespace();
      comma = peek() == ',';
      if (comma) {
        pos++;
      } else if (peek() != close) {
        throw error("expected ',' or '" + close + "'");
      }
    }
  }

  private String string(char quote) {
    StringBuilder sb = new StringBuilder();
    pos++; // opening quote
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\\' && pos < text.length()) {
        c = text.charAt(pos++);
      } else if (c == '\n') {
        break;
      }
      sb.append(c);
    }
    throw error("unterminated string");
  }

  private Long integer() {
    int start = pos;
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      pos++;
    }
    try {
      return Long.valueOf(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("bad integer");
    }
  }

  private Object keyword() {
    int start = pos;
    while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
      pos++;
    }
    switch (text.substring(start, pos)) {
      case "True":
        return Boolean.TRUE;
      case "False":
        return Boolean.FALSE;
      case "None":
        return NONE;
      default:
        pos = start;
        throw error("unexpected character");
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  /** Returns the current character, or {@code '\0'} at the end of the text. */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(
        what + " at offset " + pos + " in " + quoteForMessage(text));
  }

  /** Renders a parsed value the way Python's {@code repr} would, for error messages. */
  static String repr(Object value) {
    if (value instanceof String s) {
      return "'" + s + "'";
    }
    if (value instanceof Tuple t) {
      String items = join(t.items());
      return "(" + items + (t.items().size() == 1 ? ",)" : ")");
    }
    if (value instanceof List<?> list) {
      return "[" + join(list) + "]";
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      map.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "")
          .append(repr(k)).append(": ").append(repr(v)));
      return sb.append('}').toString();
    }
    return String.valueOf(value);
  }

  private static String join(List<?> items) {
    StringBuilder sb = new StringBuilder();
    for (Object item : items) {
      sb.append(sb.length() > 0 ? ", " : "").append(repr(item));
    }
    return sb.toString();
  }

  /** Quotes the header for an error message, trimming trailing padding and escaping newlines. */
  static String quoteForMessage(String s) {
    String trimmed = s.stripTrailing();
    if (trimmed.length() > 200) {
      trimmed = trimmed.substring(0, 200) + "...";
    }
    return "\"" + trimmed.replace("\n", "\\n").replace("\0", "\\0") + "\"";
  }
}
