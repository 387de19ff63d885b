package dev.bptt.connectors.metrics;

import io.prometheus.client.CollectorRegistry;
import java.lang.reflect.Field;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;

/**
 * The registry into which {@link AbstractPrometheusReporter} puts its collectors. Flink 2.2.1 keeps
 * it in a package-private field ({@code registry}, marked {@code @VisibleForTesting}) that only its
 * own subclasses in {@code org.apache.flink.metrics.prometheus} can read, so this reads it by
 * reflection; a Flink version without that field fails at the reporter's start with a message
 * saying so.
 */
final class ReporterRegistry {

    private static final String FIELD = "registry";

    private ReporterRegistry() {}

    /** The collector registry of {@code reporter}. */
    static CollectorRegistry of(AbstractPrometheusReporter reporter) {
        try {
            Field field = AbstractPrometheusReporter.class.getDeclaredField(FIELD);
            field.setAccessible(true);
            return (CollectorRegistry) field.get(reporter);
        } catch (ReflectiveOperationException | ClassCastException | SecurityException e) {
            throw new IllegalStateException(
                    "AbstractPrometheusReporter has no CollectorRegistry field '" + FIELD
                            + "' (written for flink-metrics-prometheus 2.2.1)", e);
        }
    }
}
