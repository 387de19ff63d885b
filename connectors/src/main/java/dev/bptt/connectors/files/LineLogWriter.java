package dev.bptt.connectors.files;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;

/**
 * A sink writer that appends to a {@link LineLog}; its state is the log's length, so a restored
 * writer cuts the file back to where the checkpoint was taken.
 */
abstract class LineLogWriter<T> implements StatefulSinkWriter<T, Long> {

    protected final LineLog log;

    LineLogWriter(LineLog log) {
        this.log = log;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        log.flush();
    }

    @Override
    public List<Long> snapshotState(long checkpointId) throws IOException {
        return List.of(log.committedLength());
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
