package dev.bptt.connectors.kafka;

import dev.bptt.loop.LoopInlet;
import dev.bptt.records.ParameterVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * One forward subtask's reader of the loop topic: polls, hands every record keyed by its model to
 * the listener with its partition and offset, and reports a failure once. Closing wakes the poll
 * and waits for the thread to close the consumer.
 */
final class LoopReader implements Runnable, LoopInlet.Subscription {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final byte[] key;
    private final LoopInlet.Listener listener;
    private volatile boolean closed;
    private volatile Thread thread;

    LoopReader(KafkaConsumer<byte[], byte[]> consumer, String modelId, LoopInlet.Listener listener) {
        this.consumer = consumer;
        this.key = modelId.getBytes(StandardCharsets.UTF_8);
        this.listener = listener;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (Arrays.equals(r.key(), key)) {
                        listener.deliver(new LoopInlet.Delivery(decode(r), r.partition(), r.offset()));
                    }
                }
            }
        } catch (RuntimeException e) { // WakeupException when closed
            if (!closed) {
                listener.fail(e);
            }
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    private static ParameterVersion decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return LoopRecords.decode(r.value() == null ? new byte[0] : r.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("record " + r.topic() + "/" + r.partition() + "@" + r.offset()
                    + " is no loop message: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
