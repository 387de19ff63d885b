package dev.bptt.connectors.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An append-only text file whose length is the unit of recovery: a fresh log starts with only
 * its header; a restored one is cut back to the length a checkpoint recorded, dropping what was
 * appended after it (a replay appends it again). Lines are buffered and written at the latest a
 * second after they were appended (on the next append or {@link #flush}). Plain Java, not
 * thread-safe.
 */
public final class LineLog implements Closeable {

    /** Length to pass to {@link #open} for a fresh start. */
    public static final long FRESH = -1;

    private final Path file;
    private final FileChannel channel;
    /** Buffered lines are written by an append at least this long after the last write. */
    private static final long WRITE_EVERY_NANOS = 1_000_000_000L;

    private final StringBuilder buffer = new StringBuilder();
    private long length;
    private long lastWrite = System.nanoTime();

    private LineLog(Path file, FileChannel channel, long length) {
        this.file = file;
        this.channel = channel;
        this.length = length;
    }

    /**
     * Opens {@code file} (creating it and its folder).
     *
     * @param header first line of a fresh file (null for none)
     * @param restoredLength {@link #FRESH}: empty the file and write the header; else cut it to this
     *     length (a file found shorter, e.g. lost, keeps what it has and gets the header if empty)
     */
    public static LineLog open(Path file, String header, long restoredLength) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (restoredLength == FRESH) {
            channel.truncate(0);
        } else if (channel.size() > restoredLength) {
            channel.truncate(restoredLength);
        }
        LineLog log = new LineLog(file, channel, channel.size());
        if (log.length == 0 && header != null) {
            log.append(header);
        }
        return log;
    }

    /** Appends one line (a newline is added); writes the buffer when the last write is a second old. */
    public void append(String line) throws IOException {
        buffer.append(line).append('\n');
        if (System.nanoTime() - lastWrite > WRITE_EVERY_NANOS) {
            flush();
        }
    }

    /** Writes the buffered lines and forces them to disk. */
    public void flush() throws IOException {
        lastWrite = System.nanoTime();
        if (buffer.length() == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer.toString().getBytes(StandardCharsets.UTF_8));
        buffer.setLength(0);
        channel.position(length);
        while (bytes.hasRemaining()) {
            length += channel.write(bytes);
        }
        channel.force(false);
    }

    /** The file's length with every line appended so far (flushes first). */
    public long committedLength() throws IOException {
        flush();
        return length;
    }

    public Path file() {
        return file;
    }

    /** Flushes and closes. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
