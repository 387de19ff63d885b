package dev.bptt.npz;

import java.io.IOException;

/**
 * Signals malformed or unsupported {@code .npz} input: not a zip archive, a broken {@code .npy}
 * entry, an unsupported dtype, truncated data and so on. The message names the entry (when there
 * is one) and says what is wrong.
 */
public class NpzFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with the given message. */
  public NpzFormatException(String message) {
    super(message);
  }

  /** Creates an exception with the given message and underlying cause. */
  public NpzFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates an exception whose message reads {@code entry 'name': problem}. */
  static NpzFormatException inEntry(String entryName, String problem) {
    return new NpzFormatException("entry '" + entryName + "': " + problem);
  }

  /** Like {@link #inEntry(String, String)}, keeping the underlying cause. */
  static NpzFormatException inEntry(String entryName, String problem, Throwable cause) {
    return new NpzFormatException("entry '" + entryName + "': " + problem, cause);
  }
}
