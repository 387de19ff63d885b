package dev.bptt.job.report;

import dev.bptt.connectors.files.DeadLetterJson;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A dead-letter file: records the job could not use, one JSON object per line ({@link
 * DeadLetterJson}, the format the cluster job's dead-letter sink writes too), appended:
 *
 * <pre>{@code {"reason":"wrong_dimension: input has 3 numbers, expected 2","record":"{\"key\":...}","origin":"steps/0/17"}}</pre>
 *
 * <p>{@code record} is the original record text, kept exactly: the output is ASCII, with every
 * other character (and any unpaired surrogate) written as a JSON <code>&#92;uXXXX</code> escape, so any
 * JSON parser gives back the same string. {@code origin} says where the record came from
 * (e.g. {@code topic/partition/offset}) and is left out when unknown. Each record is flushed as it is written. Thread-safe.
 */
public final class DeadLetterFile implements Closeable {

    private final Path file;
    private final OutputStream out;
    private boolean closed;
    private long count;

    private DeadLetterFile(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** Opens {@code file} for appending, creating it (and missing parent folders) if needed. */
    public static DeadLetterFile open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream stream = Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new DeadLetterFile(file, stream);
    }

    /**
     * Appends one dead letter and flushes it to the file.
     *
     * @throws IOException if writing fails or the file was closed
     */
    public synchronized void write(String reason, String record, String origin) throws IOException {
        String line = DeadLetterJson.line(reason, record, origin) + "\n";
        if (closed) {
            throw new IOException("dead-letter file " + file + " is closed");
        }
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        count++;
    }

    /** Number of dead letters written through this instance (not counting earlier file content). */
    public synchronized long count() {
        return count;
    }

    /** The file written to. */
    public Path file() {
        return file;
    }

    /** Closes the file; later writes fail with an {@link IOException}. Closing twice does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
