package dev.bptt.connectors.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** A file length as the state of a {@link LineLogWriter}: eight bytes, big-endian. */
final class LengthSerializer implements SimpleVersionedSerializer<Long> {

    static final LengthSerializer INSTANCE = new LengthSerializer();

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(Long length) {
        return ByteBuffer.allocate(Long.BYTES).putLong(length).array();
    }

    @Override
    public Long deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 || serialized.length != Long.BYTES) {
            throw new IOException("unknown file length state: version " + version + ", " + serialized.length + " bytes");
        }
        return ByteBuffer.wrap(serialized).getLong();
    }
}
