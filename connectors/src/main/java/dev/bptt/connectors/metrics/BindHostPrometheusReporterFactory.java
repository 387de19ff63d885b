package dev.bptt.connectors.metrics;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Creates a {@link BindHostPrometheusReporter} from the reporter's options in the Flink
 * configuration, e.g.
 *
 * <pre>
 * metrics.reporter.prom.factory.class: dev.bptt.connectors.metrics.BindHostPrometheusReporterFactory
 * metrics.reporter.prom.host: 127.0.0.1
 * metrics.reporter.prom.port: 9250-9260
 * </pre>
 *
 * Registered in {@code META-INF/services}; Flink finds it on the classpath of the JobManager and
 * TaskManager processes (or in a plugin folder) when they start.
 */
public final class BindHostPrometheusReporterFactory implements MetricReporterFactory {

    /** Address to listen on. */
    static final String HOST = "host";
    /** Port, port range ("9250-9260") or list ("9250,9252"); the first free one is used. */
    static final String PORT = "port";
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Flink's Prometheus reporter's default port. */
    static final String DEFAULT_PORT = "9249";

    @Override
    public BindHostPrometheusReporter createMetricReporter(Properties properties) {
        String host = option(properties, HOST, DEFAULT_HOST);
        String ports = option(properties, PORT, DEFAULT_PORT);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("Prometheus reporter: option '" + HOST + "' is empty");
        }
        return new BindHostPrometheusReporter(host, new PortRange(ports));
    }

    /** An option as text: Flink's MetricConfig may hold a YAML number (port: 9250) as a number. */
    private static String option(Properties properties, String key, String defaultValue) {
        Object value = properties.get(key);
        return value == null ? defaultValue : value.toString().trim();
    }
}
