package dev.bptt.connectors.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.metrics.util.TestMetricGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reporter serves Flink's metrics in the Prometheus text format on 127.0.0.1 only, on the first
 * free port of its range.
 */
class BindHostPrometheusReporterTest {

    /** An operator's metric group of subtask 1 of job "j1" (labels as on a TaskManager, in name order). */
    private static final TestMetricGroup OPERATOR = TestMetricGroup.newBuilder()
            .setVariables(new TreeMap<>(Map.of("<job_id>", "j1", "<operator_name>", "ForwardStep", "<subtask_index>", "1")))
            .setLogicalScopeFunction((filter, separator) -> "taskmanager_job_task_operator")
            .build();

    private BindHostPrometheusReporter reporter;

    @AfterEach
    void close() {
        if (reporter != null) {
            reporter.close();
        }
    }

    @Test
    void servesACounterAndAGaugeInThePrometheusTextFormat() throws Exception {
        reporter = start(options(null, "0"));
        SimpleCounter steps = new SimpleCounter();
        Gauge<Double> loss = () -> 0.25;
        reporter.notifyOfAddedMetric(steps, "steps", OPERATOR);
        reporter.notifyOfAddedMetric(loss, "loss", OPERATOR);
        steps.inc(42);

        String body = scrape(reporter.address());

        String labels = "{job_id=\"j1\",operator_name=\"ForwardStep\",subtask_index=\"1\",}";
        assertThat(body.lines())
                .contains("flink_taskmanager_job_task_operator_steps" + labels + " 42.0")
                .contains("flink_taskmanager_job_task_operator_loss" + labels + " 0.25");
    }

    @Test
    void aRemovedMetricIsNoLongerServed() throws Exception {
        reporter = start(options(null, "0"));
        SimpleCounter windows = new SimpleCounter();
        reporter.notifyOfAddedMetric(windows, "windows", OPERATOR);
        reporter.notifyOfRemovedMetric(windows, "windows", OPERATOR);

        assertThat(scrape(reporter.address())).doesNotContain("windows");
    }

    @Test
    void listensOnTheLoopbackAddressByDefault() {
        reporter = start(options(null, "0"));

        assertThat(reporter.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(reporter.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(reporter.address().getPort()).isPositive();
    }

    @Test
    void cannotBeReachedOnTheMachinesOtherAddresses() throws IOException {
        reporter = start(options(null, "0"));
        List<InetAddress> others = nonLoopbackAddresses();
        assumeThat(others).as("a non-loopback address on this machine").isNotEmpty();

        for (InetAddress other : others) {
            InetSocketAddress target = new InetSocketAddress(other, reporter.address().getPort());
            assertThatThrownBy(() -> connect(target)).as("connect to %s", target)
                    .isInstanceOfAny(ConnectException.class, SocketTimeoutException.class);
        }
        connect(reporter.address()); // while 127.0.0.1 answers
    }

    @Test
    void takesTheNextPortOfTheRangeWhenOneIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int first = taken.getLocalPort();
            reporter = start(options("127.0.0.1", first + "-" + (first + 20)));

            assertThat(reporter.address().getPort()).isBetween(first + 1, first + 20);
        }
    }

    @Test
    void failsWhenNoPortOfTheRangeIsFree() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Properties options = options("127.0.0.1", String.valueOf(taken.getLocalPort()));

            assertThatThrownBy(() -> start(options))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no free port on 127.0.0.1 in");
        }
    }

    @Test
    void stopsServingWhenClosed() {
        reporter = start(options(null, "0"));
        InetSocketAddress address = reporter.address();
        reporter.close();
        reporter = null;

        assertThatThrownBy(() -> connect(address)).isInstanceOf(ConnectException.class);
    }

    @Test
    void flinkFindsTheFactoryAsAService() {
        assertThat(ServiceLoader.load(MetricReporterFactory.class).stream().map(p -> p.type().getName()))
                .contains(BindHostPrometheusReporterFactory.class.getName());
    }

    @Test
    void aPortGivenAsANumberIsAccepted() {
        Properties options = new Properties(); // as Flink passes "port: 0" from YAML
        options.put(BindHostPrometheusReporterFactory.PORT, 0);

        reporter = start(options);

        assertThat(reporter.address().getPort()).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    private static Properties options(String host, String port) {
        Properties options = new Properties();
        if (host != null) {
            options.setProperty(BindHostPrometheusReporterFactory.HOST, host);
        }
        options.setProperty(BindHostPrometheusReporterFactory.PORT, port);
        return options;
    }

    private static BindHostPrometheusReporter start(Properties options) {
        return new BindHostPrometheusReporterFactory().createMetricReporter(options);
    }

    private static String scrape(InetSocketAddress address) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + address.getPort() + "/metrics");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static void connect(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2000);
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(BindHostPrometheusReporterTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .collect(Collectors.toList());
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
