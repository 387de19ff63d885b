package dev.bptt.job.report;

import dev.bptt.connectors.files.MetricsLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics CSV of a training run: a header line {@value #HEADER} and one line per {@link
 * VersionMetrics} ({@link MetricsLine}, the format the cluster job's parameter sink appends), comma separated, no quoting (every field is a number). Doubles are written
 * with {@link Double#toString(double)}, so they read back exactly; an unknown value is {@code NaN}.
 */
public final class MetricsCsv {

    /** The first line of every metrics CSV. */
    public static final String HEADER = MetricsLine.HEADER;

    private static final int COLUMNS = MetricsLine.COLUMNS;

    private MetricsCsv() {}

    /** Writes {@code rows} in order to {@code file}, atomically (readers never see half a file). */
    public static void write(Path file, List<VersionMetrics> rows) throws IOException {
        AtomicFile.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(HEADER);
            w.write('\n');
            for (VersionMetrics r : rows) {
                w.write(MetricsLine.format(r.version(), r.bucketEnd(), r.lossMean(), r.lossTerms(), r.gradNorm(),
                        r.stepsPerSecond(), r.staleness()) + "\n");
            }
            w.flush();
        });
    }

    /**
     * Reads a file written by {@link #write}. Blank lines are skipped.
     *
     * @throws IOException if the header differs or a line does not hold seven numbers (the message
     *     names the line)
     */
    public static List<VersionMetrics> read(Path file) throws IOException {
        List<VersionMetrics> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.strip().equals(HEADER)) {
                throw new IOException(file + " line 1: expected the header \"" + HEADER + "\", got "
                        + (header == null ? "an empty file" : "\"" + header + "\""));
            }
            long lineNumber = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    rows.add(parse(line.strip(), file, lineNumber));
                }
            }
        }
        return rows;
    }

    private static VersionMetrics parse(String line, Path file, long lineNumber) throws IOException {
        String[] f = line.split(",", -1);
        if (f.length != COLUMNS) {
            throw new IOException(file + " line " + lineNumber + ": expected " + COLUMNS + " fields, got " + f.length);
        }
        try {
            return new VersionMetrics(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                    Long.parseLong(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6]));
        } catch (NumberFormatException e) {
            throw new IOException(file + " line " + lineNumber + ": not a number: " + e.getMessage(), e);
        }
    }
}
