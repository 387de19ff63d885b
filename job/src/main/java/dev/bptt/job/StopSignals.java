package dev.bptt.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, instead of the JVM's immediate shutdown: the
 * first signal runs {@code onStop} once (e.g. cancel the job) and the program ends by itself; a
 * second one exits at once with status 1. {@link #close()} puts the previous handlers back.
 */
final class StopSignals implements AutoCloseable {

    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final AtomicBoolean requested = new AtomicBoolean();
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals() {}

    /** Installs the handlers. */
    static StopSignals install(Runnable onStop) {
        StopSignals stop = new StopSignals();
        SignalHandler handler = signal -> {
            if (stop.requested.compareAndSet(false, true)) {
                new Thread(onStop, "stop-on-signal").start();
            } else {
                System.err.println("second " + signal.getName() + ": exiting without waiting");
                System.exit(1);
            }
        };
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                stop.previous.add(Signal.handle(signal, handler));
                stop.signals.add(signal);
            } catch (IllegalArgumentException unsupported) {
                // not on this platform (or taken by the JVM): the default behaviour stays
            }
        }
        return stop;
    }

    /** Whether a stop was requested by a signal. */
    boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
