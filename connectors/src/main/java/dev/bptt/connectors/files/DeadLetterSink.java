package dev.bptt.connectors.files;

import dev.bptt.records.DeadLetter;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Appends the dead letters of a run to {@value #FILE} in its folder ({@link DeadLetterJson}
 * lines); run at parallelism 1. A letter whose record is not UTF-8 keeps it in base64.
 */
public final class DeadLetterSink extends LineLogSink<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public static final String FILE = "dead-letters.jsonl";

    /** @param dir the run folder */
    public DeadLetterSink(String dir) {
        super(dir, FILE, null);
    }

    @Override
    LineLogWriter<DeadLetter> writer(Path dir, LineLog log, boolean restored) {
        return new LineLogWriter<>(log) {
            @Override
            public void write(DeadLetter d, SinkWriter.Context context) throws IOException {
                log.append(DeadLetterJson.line(d.reason(), d.record(), d.origin()));
            }
        };
    }
}
