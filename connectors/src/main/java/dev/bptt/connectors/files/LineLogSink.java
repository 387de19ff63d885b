package dev.bptt.connectors.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Sink V2 writing one {@link LineLog} in a run folder; run it at parallelism 1. A fresh start
 * empties the file, a restore cuts it back to the checkpointed length.
 */
abstract class LineLogSink<T> implements Sink<T>, SupportsWriterState<T, Long> {

    private static final long serialVersionUID = 1L;

    /** The run folder (a path every TaskManager can write). */
    private final String dir;
    private final String fileName;
    private final String header;

    LineLogSink(String dir, String fileName, String header) {
        this.dir = dir;
        this.fileName = fileName;
        this.header = header;
    }

    /** The writer of a fresh or restored log. */
    abstract LineLogWriter<T> writer(Path dir, LineLog log, boolean restored) throws IOException;

    @Override
    public StatefulSinkWriter<T, Long> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, java.util.List.of());
    }

    @Override
    public StatefulSinkWriter<T, Long> restoreWriter(WriterInitContext context, Collection<Long> recoveredState)
            throws IOException {
        long length = recoveredState.stream().mapToLong(Long::longValue).max().orElse(LineLog.FRESH);
        Path folder = Path.of(dir);
        return writer(folder, LineLog.open(folder.resolve(fileName), header, length), length != LineLog.FRESH);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return LengthSerializer.INSTANCE;
    }
}
