package dev.bptt.loop;

import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The in-job feedback channel: a process-wide rendezvous that hands parameter versions from the
 * feedback tail subtask i to the forward subtask i of the same job in the same JVM (the two are
 * co-located). Messages published before the consumer subscribes wait here. The consumer gets
 * them through its own callback, which must hand them to its task thread (the mailbox); the
 * channel never runs operator code itself. Only parameter versions travel on it, so it cannot
 * deadlock under backpressure.
 */
public final class ParameterChannel {

    /**
     * One forward subtask of one job, in one execution attempt: after a restart the new attempt
     * gets a fresh endpoint, so nothing the old attempt does (closing late) can touch it. The tail
     * and the forward subtask restart together, so their attempt numbers agree.
     */
    private record Endpoint(String jobId, int subtask, int attempt) {}

    /** A consumer and the messages waiting for one. */
    private static final class Mailbox {
        Consumer<ParameterVersion> consumer;
        final List<ParameterVersion> waiting = new ArrayList<>();
    }

    private static final Map<Endpoint, Mailbox> MAILBOXES = new ConcurrentHashMap<>();
    private static final Map<Endpoint, VersionStore> STORES = new ConcurrentHashMap<>();

    private ParameterChannel() {}

    /** Delivers {@code message} to forward subtask {@code subtask} of {@code jobId}. */
    public static void publish(String jobId, int subtask, int attempt, ParameterVersion message) {
        Mailbox box = MAILBOXES.computeIfAbsent(new Endpoint(jobId, subtask, attempt), e -> new Mailbox());
        Consumer<ParameterVersion> consumer;
        synchronized (box) {
            consumer = box.consumer;
            if (consumer == null) {
                box.waiting.add(message);
                return;
            }
        }
        consumer.accept(message);
    }

    /** Registers the consumer of a forward subtask (replacing an earlier attempt's) and drains waiting messages. */
    public static void subscribe(String jobId, int subtask, int attempt, Consumer<ParameterVersion> consumer) {
        Mailbox box = MAILBOXES.computeIfAbsent(new Endpoint(jobId, subtask, attempt), e -> new Mailbox());
        List<ParameterVersion> drained;
        synchronized (box) {
            box.consumer = consumer;
            drained = new ArrayList<>(box.waiting);
            box.waiting.clear();
        }
        drained.forEach(consumer);
    }

    /** Removes a subtask's consumer (and its waiting messages) when it closes. */
    public static void unsubscribe(String jobId, int subtask, int attempt, Consumer<ParameterVersion> consumer) {
        Endpoint endpoint = new Endpoint(jobId, subtask, attempt);
        MAILBOXES.computeIfPresent(endpoint, (e, box) -> box.consumer == consumer ? null : box);
        STORES.remove(endpoint);
    }

    /** Forgets a subtask's endpoint entirely (the feedback tail closed: nothing more is sent). */
    public static void release(String jobId, int subtask, int attempt) {
        MAILBOXES.remove(new Endpoint(jobId, subtask, attempt));
    }

    /**
     * The version store of a forward subtask, shared with the backward operator chained to it
     * (same task, same thread). Created on first use.
     */
    public static VersionStore store(String jobId, int subtask, int attempt, java.util.function.Supplier<VersionStore> create) {
        return STORES.computeIfAbsent(new Endpoint(jobId, subtask, attempt), e -> create.get());
    }

}
