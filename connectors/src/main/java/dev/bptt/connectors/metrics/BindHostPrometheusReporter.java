package dev.bptt.connectors.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.util.PortRange;

/**
 * Serves the process's metrics in the Prometheus text format at {@code http://host:port/metrics},
 * bound to {@code host} only, on the first free port of a range. Flink's {@code PrometheusReporter}
 * does the same on every interface; the metric translation (names, labels, gauges for counters and
 * meters, summaries for histograms) is Flink's, inherited from {@link AbstractPrometheusReporter}.
 */
public final class BindHostPrometheusReporter extends AbstractPrometheusReporter {

    private final Server server;

    /**
     * Starts the HTTP server on {@code host} and the first port of {@code ports} that is free.
     *
     * @throws IllegalStateException when no port of the range can be bound
     */
    BindHostPrometheusReporter(String host, PortRange ports) {
        this.server = bindFirstFree(host, ports, ReporterRegistry.of(this));
        log.info("Serving Prometheus metrics at http://{}:{}/metrics",
                server.address().getAddress().getHostAddress(), server.address().getPort());
    }

    /** The address the server listens on: the configured host and the port it got. */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    private Server bindFirstFree(String host, PortRange ports, CollectorRegistry registry) {
        Iterator<Integer> it = ports.getPortsIterator();
        while (it.hasNext()) {
            int port = it.next();
            try {
                return new Server(new InetSocketAddress(host, port), registry);
            } catch (IOException e) { // taken: try the next one
                log.debug("Prometheus reporter: cannot listen on {}:{}", host, port, e);
            }
        }
        throw new IllegalStateException(
                "Prometheus reporter: no free port on " + host + " in " + ports);
    }

    /** The simpleclient HTTP server (daemon threads) that tells the address it bound. */
    private static final class Server extends HTTPServer {
        Server(InetSocketAddress address, CollectorRegistry registry) throws IOException {
            super(address, registry, true);
        }

        InetSocketAddress address() {
            return server.getAddress();
        }
    }
}
