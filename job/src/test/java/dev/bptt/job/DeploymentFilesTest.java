package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks deploy/docker and deploy/k8s against each other and against Flink 2.2.1, without a
 * Docker engine or a cluster: the manifests parse, the FlinkDeployment runs the image the
 * Dockerfile builds and the jar where the Dockerfile puts it, state lives on the mounted volume,
 * the configuration names options Flink knows with values Flink parses, Prometheus can find
 * the reporter's port, and every cluster JVM (these and deploy/standalone's) gets the Vector API
 * module.
 */
class DeploymentFilesTest {

    private static final String ENTRY_CLASS = "dev.bptt.job.ClusterMain";
    private static final String BASE_IMAGE = "flink:2.2.1-java17";
    private static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final String MAIN_CONTAINER = "flink-main-container";

    private static final Path ROOT = repositoryRoot();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final Path DOCKER = ROOT.resolve("deploy/docker");
    private static final Path STANDALONE = ROOT.resolve("deploy/standalone");
    /** The JVM flag of the model's kernels (README "Vector kernels"), in either spelling. */
    private static final Pattern VECTOR_MODULE = Pattern.compile("--add-modules[= ]jdk\\.incubator\\.vector(?![\\w.])");
    /** The trap limit against the kernels' JIT cliff (README "Vector kernels"). */
    private static final Pattern TRAP_LIMIT = Pattern.compile("(?<![\\w-])-XX:PerMethodTrapLimit=1000(?!\\d)");

    // ---------------------------------------------------------------- the manifests parse

    @Test
    void everyYamlFileUnderDeployK8sParsesIntoKubernetesObjects() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            List<Object> docs = loadAll(file);
            assertThat(docs).as("%s holds no document", file).anyMatch(d -> d != null);
            for (Object doc : docs) {
                if (doc == null) {
                    continue; // an empty document, e.g. after a trailing ---
                }
                assertThat(doc).as("%s: a document is not a mapping", file).isInstanceOf(Map.class);
                Map<String, Object> object = map(doc);
                assertThat(object.get("apiVersion")).as("%s: apiVersion", file).isInstanceOf(String.class);
                assertThat(object.get("kind")).as("%s: kind", file).isInstanceOf(String.class);
                if (!"Kustomization".equals(object.get("kind"))) {
                    assertThat(str(object, "metadata", "name")).as("%s: metadata.name", file).isNotBlank();
                }
            }
        }
    }

    @Test
    void multiDocumentFilesAreReadDocumentByDocument() throws IOException {
        Path file = Files.createTempFile("two-docs", ".yaml");
        try {
            Files.writeString(file, "kind: A\n---\nkind: B\n---\n");
            List<Object> docs = loadAll(file);
            assertThat(docs.stream().filter(d -> d != null).map(d -> map(d).get("kind")))
                    .containsExactly("A", "B");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void kustomizationListsExistingFilesThatHoldTheDeploymentItsVolumeAndItsPodMonitor()
            throws IOException {
        Map<String, Object> kustomization = single(K8S.resolve("kustomization.yaml"));
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        Set<String> kinds = new HashSet<>();
        for (Object resource : list(kustomization.get("resources"))) {
            Path file = K8S.resolve((String) resource);
            assertThat(file).as("kustomization resource %s", resource).isRegularFile();
            for (Object doc : loadAll(file)) {
                if (doc != null) {
                    kinds.add((String) map(doc).get("kind"));
                }
            }
        }
        assertThat(kinds).contains("FlinkDeployment", "PersistentVolumeClaim", "PodMonitor");
    }

    // ---------------------------------------------------------------- the FlinkDeployment

    @Test
    void flinkDeploymentIsAnApplicationClusterForFlink22WithSavepointUpgrades() throws IOException {
        Map<String, Object> deployment = flinkDeployment();
        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");
        assertThat(str(deployment, "spec", "flinkVersion")).isEqualTo("v2_2");
        Map<String, Object> job = map(get(deployment, "spec", "job"));
        assertThat(job.get("parallelism")).isEqualTo(2);
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(job.get("state")).isEqualTo("running");
        // The job's own --parallelism (keyed operators) agrees with the cluster's.
        assertThat(option(args(), "--parallelism")).isEqualTo("2");
    }

    @Test
    void deploymentRunsTheImageThatTheBuildScriptTags() throws IOException {
        String image = Files.readString(DOCKER.resolve("image.txt"), StandardCharsets.UTF_8).trim();
        assertThat(image).isNotEmpty().doesNotContainAnyWhitespaces();
        assertThat(str(flinkDeployment(), "spec", "image")).isEqualTo(image);
        assertThat(Files.readString(DOCKER.resolve("build.sh"))).contains("image.txt");
    }

    @Test
    void jarUriIsTheLocalPathWhereTheDockerfileCopiesTheJobJar() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        URI jarUri = URI.create(str(flinkDeployment(), "spec", "job", "jarURI"));
        assertThat(jarUri.getScheme()).isEqualTo("local");
        assertThat(jarUri.getPath()).isEqualTo(dockerfile.copyDestination("${JOB_JAR}"));
        assertThat(jarUri.getPath()).startsWith("/opt/flink/usrlib/");
        assertThat(dockerfile.argDefault("JOB_JAR")).isEqualTo("job/target/bptt-job.jar");
    }

    @Test
    void entryClassIsTheClusterMain() throws IOException {
        assertThat(str(flinkDeployment(), "spec", "job", "entryClass")).isEqualTo(ENTRY_CLASS);
    }

    @Test
    void entryClassIsOnTheJobClasspathWithAMainMethod() throws Exception {
        String entryClass = str(flinkDeployment(), "spec", "job", "entryClass");
        Class<?> type;
        try {
            type = Class.forName(entryClass, false, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            Assumptions.abort(entryClass + " is not on this branch's classpath yet (the cluster entry point"
                    + " is added separately); entryClassIsTheClusterMain checks the name");
            return;
        }
        Method main = type.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).as("main is static").isTrue();
    }

    @Test
    void argsAreStringsAndConfigurationValuesAreStringsAsTheCrdRequires() throws IOException {
        assertThat(list(get(flinkDeployment(), "spec", "job", "args"))).allMatch(a -> a instanceof String);
        assertThat(map(get(flinkDeployment(), "spec", "flinkConfiguration")).values())
                .allMatch(v -> v instanceof String);
    }

    // ---------------------------------------------------------------- state on the volume

    @Test
    void checkpointsSavepointsAndHaMetadataLiveOnTheMountedSharedVolume() throws IOException {
        String mountPath = dataMountPath();
        Map<String, String> conf = flinkConfiguration();
        for (ConfigOption<?> option : List.of(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                HighAvailabilityOptions.HA_STORAGE_PATH)) {
            String value = conf.get(option.key());
            assertThat(value).as(option.key()).isNotNull();
            URI uri = URI.create(value);
            assertThat(uri.getScheme()).as(option.key()).isEqualTo("file");
            assertThat(uri.getPath()).as(option.key()).startsWith(mountPath + "/");
        }
        // The job is told the same checkpoint directory, and reads and writes on the volume too.
        List<String> args = args();
        assertThat(option(args, "--checkpoint-dir"))
                .isEqualTo(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()));
        for (String path : List.of("--params", "--steps", "--out")) {
            assertThat(option(args, path)).as(path).startsWith(mountPath + "/");
        }
    }

    @Test
    void sharedVolumeClaimCanBeMountedByPodsOnSeveralNodes() throws IOException {
        Map<String, Object> claim = single(K8S.resolve("pvc.yaml"));
        assertThat(claim.get("kind")).isEqualTo("PersistentVolumeClaim");
        assertThat(list(get(claim, "spec", "accessModes"))).containsExactly("ReadWriteMany");
        assertThat(str(claim, "spec", "resources", "requests", "storage")).isNotBlank();
    }

    @Test
    void dataShellMountsTheSameClaimAsTheFlinkPods() throws IOException {
        Map<String, Object> pod = single(K8S.resolve("data-shell.yaml"));
        assertThat(claimNames(list(get(pod, "spec", "volumes"))))
                .containsExactly(str(single(K8S.resolve("pvc.yaml")), "metadata", "name"));
    }

    // ---------------------------------------------------------------- Flink configuration

    @Test
    void checkpointIntervalAndRestartStrategyAreValuesFlinkParses() throws IOException {
        Configuration conf = Configuration.fromMap(flinkConfiguration());
        Duration interval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        assertThat(interval).isNotNull().isPositive();
        assertThat(Duration.ofMillis(Long.parseLong(option(args(), "--checkpoint-interval-ms"))))
                .as("--checkpoint-interval-ms").isEqualTo(interval);
        assertThat(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isPositive();

        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isLessThan(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF));
        assertThatCode(() -> {
            conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER);
            conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD);
            conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR);
            conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION);
            conf.get(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS);
            conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT);
            conf.get(HighAvailabilityOptions.HA_MODE);
            conf.get(StateBackendOptions.STATE_BACKEND);
            conf.get(TaskManagerOptions.NUM_TASK_SLOTS);
        }).doesNotThrowAnyException();
    }

    @Test
    void flinkConfigurationNamesOnlyOptionsThatFlink221Knows() throws Exception {
        Set<String> known = new HashSet<>();
        for (Class<?> options : List.of(CheckpointingOptions.class, RestartStrategyOptions.class,
                StateBackendOptions.class, StateRecoveryOptions.class, HighAvailabilityOptions.class,
                TaskManagerOptions.class, JobManagerOptions.class, CoreOptions.class, MetricOptions.class,
                PipelineOptions.class)) {
            for (var field : options.getFields()) {
                if (ConfigOption.class.isAssignableFrom(field.getType())) {
                    known.add(((ConfigOption<?>) field.get(null)).key());
                }
            }
        }
        List<String> unknown = flinkConfiguration().keySet().stream()
                // operator options and reporter settings are not in Flink's core option classes
                .filter(k -> !k.startsWith("kubernetes.operator.") && !k.startsWith("metrics.reporter."))
                .filter(k -> !known.contains(k))
                .collect(Collectors.toList());
        assertThat(unknown).as("keys that no Flink 2.2.1 option has").isEmpty();
    }

    @Test
    void taskManagerHasAtLeast1280MbAndJobManagerHasItsOwnMemory() throws IOException {
        Map<String, Object> spec = map(get(flinkDeployment(), "spec"));
        MemorySize taskManager = MemorySize.parse(str(spec, "taskManager", "resource", "memory"));
        assertThat(taskManager.compareTo(MemorySize.parse("1280m"))).isGreaterThanOrEqualTo(0);
        MemorySize jobManager = MemorySize.parse(str(spec, "jobManager", "resource", "memory"));
        assertThat(jobManager.compareTo(MemorySize.parse("1024m"))).isGreaterThanOrEqualTo(0);
        assertThat(get(spec, "taskManager", "resource", "cpu")).isInstanceOf(Number.class);
        assertThat(get(spec, "jobManager", "resource", "cpu")).isInstanceOf(Number.class);
    }

    // ---------------------------------------------------------------- Prometheus

    @Test
    void prometheusReporterIsOnInTheDeploymentAndInTheImageOnTheSamePort() throws IOException {
        Map<String, String> conf = flinkConfiguration();
        assertThat(conf.get("metrics.reporter.prom.factory.class")).isEqualTo(PROMETHEUS_FACTORY);
        String port = conf.get("metrics.reporter.prom.port");
        assertThat(port).matches("[0-9]+");

        Dockerfile dockerfile = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        Map<String, String> imageConf = dockerfile.dynamicProperties();
        assertThat(imageConf.get("metrics.reporter.prom.factory.class")).isEqualTo(PROMETHEUS_FACTORY);
        assertThat(imageConf.get("metrics.reporter.prom.port")).isEqualTo(port);
        assertThat(dockerfile.exposedPorts()).contains(port);
        // The reporter is a plugin: it must sit in plugins/<dir>/ (the image checks it is there).
        assertThat(dockerfile.runs()).anyMatch(r -> r.contains("/opt/flink/plugins/metrics-prometheus/"));
    }

    @Test
    void prometheusFindsTheReporterPortOnEveryFlinkPod() throws IOException {
        Map<String, Object> deployment = flinkDeployment();
        String port = flinkConfiguration().get("metrics.reporter.prom.port");

        // The port is named on the container that the operator merges into JobManager and TaskManagers.
        Map<String, Object> container = mainContainer();
        Map<String, Object> metricsPort = list(container.get("ports")).stream().map(DeploymentFilesTest::map)
                .filter(p -> "metrics".equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named metrics"));
        assertThat(String.valueOf(metricsPort.get("containerPort"))).isEqualTo(port);

        // Annotation-based discovery.
        Map<String, Object> annotations = map(get(deployment, "spec", "podTemplate", "metadata", "annotations"));
        assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(port);

        // Prometheus Operator: the PodMonitor selects this cluster's native-mode pods by that port name.
        Map<String, Object> monitor = single(K8S.resolve("podmonitor.yaml"));
        assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.get("kind")).isEqualTo("PodMonitor");
        Map<String, Object> labels = map(get(monitor, "spec", "selector", "matchLabels"));
        assertThat(labels).containsEntry("app", str(deployment, "metadata", "name"))
                .containsEntry("type", "flink-native-kubernetes");
        assertThat(list(get(monitor, "spec", "podMetricsEndpoints")).stream().map(DeploymentFilesTest::map)
                .map(e -> e.get("port"))).contains("metrics");
    }

    // ---------------------------------------------------------------- the Vector API module

    @Test
    void flinkDeploymentAndImageStartEveryJvmWithTheVectorApiModule() throws IOException {
        assertThat(flinkConfiguration().get(CoreOptions.FLINK_JVM_OPTIONS.key()))
                .as("FlinkDeployment %s", CoreOptions.FLINK_JVM_OPTIONS.key()).containsPattern(VECTOR_MODULE)
                .containsPattern(TRAP_LIMIT);
        // In the image it goes to the default options, which Flink prepends: a -D of env.java.opts.all
        // would replace the distribution's Java 17 flags there.
        assertThat(Dockerfile.read(DOCKER.resolve("Dockerfile")).dynamicProperties()
                .get(CoreOptions.FLINK_DEFAULT_JVM_OPTIONS.key()))
                .as("image %s", CoreOptions.FLINK_DEFAULT_JVM_OPTIONS.key()).containsPattern(VECTOR_MODULE)
                .containsPattern(TRAP_LIMIT);
    }

    @Test
    void standaloneClusterStartsJobManagerAndTaskManagersWithTheVectorApiModule() throws IOException {
        String script = Files.readString(STANDALONE.resolve("start-cluster.sh"), StandardCharsets.UTF_8);
        Matcher javaOpts = Pattern.compile("(?s)\\njava_opts=\\((.*?)\\n\\)").matcher(script);
        assertThat(javaOpts.find()).as("a java_opts=( ... ) array in start-cluster.sh").isTrue();
        assertThat(javaOpts.group(1)).containsPattern(VECTOR_MODULE).containsPattern(TRAP_LIMIT);
        List<String> launches = script.lines().filter(l -> l.matches("\\s*nohup java .*")).collect(Collectors.toList());
        assertThat(launches).as("the JobManager's and the TaskManagers' java command lines").hasSize(2)
                .allMatch(l -> l.contains("\"${java_opts[@]}\""));
    }

    // ---------------------------------------------------------------- the Dockerfile

    @Test
    void dockerfileBuildsOnFlink221Java17AndEndsAsANonRootUser() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile.all("FROM")).containsExactly(BASE_IMAGE);
        List<String> users = dockerfile.all("USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).split(":")[0];
        assertThat(user).isNotIn("root", "0");
        // The pods run as that user's id (the base image's flink user is 9999).
        assertThat(map(get(flinkDeployment(), "spec", "podTemplate", "spec", "securityContext")))
                .containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 9999);
    }

    @Test
    void dockerfileParserJoinsContinuationLinesAndSkipsComments() throws IOException {
        Path file = Files.createTempFile("Dockerfile", "");
        try {
            Files.writeString(file, String.join("\n",
                    "# syntax=docker/dockerfile:1",
                    "FROM base:1 AS build",
                    "ARG A=x/y.jar",
                    "RUN a \\",
                    "  # a comment inside a continuation",
                    "  -Dk=v \\",
                    "  -Dq=\"w\"",
                    "copy --chown=u:g ${A} /opt/a.jar",
                    "EXPOSE 1 2/tcp",
                    ""));
            Dockerfile dockerfile = Dockerfile.read(file);
            assertThat(dockerfile.all("FROM")).containsExactly("base:1 AS build");
            assertThat(dockerfile.argDefault("A")).isEqualTo("x/y.jar");
            assertThat(dockerfile.runs()).containsExactly("a -Dk=v -Dq=\"w\"");
            assertThat(dockerfile.dynamicProperties()).containsEntry("k", "v").containsEntry("q", "w");
            assertThat(dockerfile.copyDestination("${A}")).isEqualTo("/opt/a.jar");
            assertThat(dockerfile.exposedPorts()).containsExactly("1", "2");
        } finally {
            Files.delete(file);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A tiny Dockerfile reader: instructions with continuation lines joined, comments dropped. */
    record Dockerfile(List<Map.Entry<String, String>> instructions) {

        static Dockerfile read(Path file) throws IOException {
            List<Map.Entry<String, String>> instructions = new ArrayList<>();
            StringBuilder current = null;
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String line = raw.strip();
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                boolean continues = line.endsWith("\\");
                String text = continues ? line.substring(0, line.length() - 1).strip() : line;
                if (current == null) {
                    current = new StringBuilder(text);
                } else if (!text.isEmpty()) {
                    current.append(' ').append(text);
                }
                if (!continues) {
                    String instruction = current.toString();
                    int space = instruction.indexOf(' ');
                    String keyword = (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase();
                    String args = space < 0 ? "" : instruction.substring(space + 1).strip();
                    instructions.add(Map.entry(keyword, args));
                    current = null;
                }
            }
            if (current != null) {
                throw new IllegalStateException(file + " ends inside a continued line");
            }
            return new Dockerfile(instructions);
        }

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.getKey().equals(keyword)).map(Map.Entry::getValue)
                    .collect(Collectors.toList());
        }

        List<String> runs() {
            return all("RUN");
        }

        String argDefault(String name) {
            return all("ARG").stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no ARG " + name + " with a default"));
        }

        /** The destination of the COPY (or ADD) whose sources include {@code source}. */
        String copyDestination(String source) {
            for (Map.Entry<String, String> i : instructions) {
                if (!i.getKey().equals("COPY") && !i.getKey().equals("ADD")) {
                    continue;
                }
                List<String> words = Stream.of(i.getValue().split("\\s+"))
                        .filter(w -> !w.startsWith("--")).collect(Collectors.toList());
                if (words.size() >= 2 && words.subList(0, words.size() - 1).contains(source)) {
                    return words.get(words.size() - 1);
                }
            }
            throw new AssertionError("no COPY of " + source);
        }

        /** Every {@code -Dkey=value} word of the RUN instructions (Flink's dynamic properties). */
        Map<String, String> dynamicProperties() {
            Map<String, String> properties = new LinkedHashMap<>();
            // -Dkey=value, the value a word or quoted (and then it may hold spaces)
            Pattern property = Pattern.compile("(?<=\\s)-D([^=\\s]+)=(\"[^\"]*\"|'[^']*'|\\S+)");
            for (String run : runs()) {
                Matcher m = property.matcher(run);
                while (m.find()) {
                    properties.put(m.group(1), unquote(m.group(2)));
                }
            }
            return properties;
        }

        List<String> exposedPorts() {
            return all("EXPOSE").stream().flatMap(e -> Stream.of(e.split("\\s+")))
                    .map(p -> p.split("/")[0]).collect(Collectors.toList());
        }

        private static String unquote(String s) {
            return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))
                    ? s.substring(1, s.length() - 1) : s;
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/k8s")) && Files.isDirectory(dir.resolve("deploy/docker"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/k8s and deploy/docker above " + Path.of("").toAbsolutePath());
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static List<Object> loadAll(Path file) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Object> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object doc : yaml.loadAll(reader)) {
                docs.add(doc);
            }
        } catch (RuntimeException e) {
            fail(file + " does not parse: " + e.getMessage(), e);
        }
        return docs;
    }

    private static Map<String, Object> single(Path file) throws IOException {
        List<Object> docs = loadAll(file).stream().filter(d -> d != null).collect(Collectors.toList());
        assertThat(docs).as("documents in %s", file).hasSize(1);
        return map(docs.get(0));
    }

    private static Map<String, Object> flinkDeployment() throws IOException {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Path file : yamlFiles()) {
            for (Object doc : loadAll(file)) {
                if (doc != null && "FlinkDeployment".equals(map(doc).get("kind"))) {
                    found.add(map(doc));
                }
            }
        }
        assertThat(found).as("FlinkDeployments under deploy/k8s").hasSize(1);
        return found.get(0);
    }

    private static Map<String, String> flinkConfiguration() throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        map(get(flinkDeployment(), "spec", "flinkConfiguration")).forEach((k, v) -> conf.put(k, String.valueOf(v)));
        return conf;
    }

    private static List<String> args() throws IOException {
        return list(get(flinkDeployment(), "spec", "job", "args")).stream().map(String::valueOf)
                .collect(Collectors.toList());
    }

    /** The value after {@code name} in the job's arguments. */
    private static String option(List<String> args, String name) {
        int at = args.indexOf(name);
        assertThat(at).as("job argument %s", name).isNotNegative().isLessThan(args.size() - 1);
        return args.get(at + 1);
    }

    private static Map<String, Object> mainContainer() throws IOException {
        return list(get(flinkDeployment(), "spec", "podTemplate", "spec", "containers")).stream()
                .map(DeploymentFilesTest::map).filter(c -> MAIN_CONTAINER.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + MAIN_CONTAINER + " in spec.podTemplate"));
    }

    /** Where the main container mounts the volume backed by the claim of pvc.yaml. */
    private static String dataMountPath() throws IOException {
        String claim = str(single(K8S.resolve("pvc.yaml")), "metadata", "name");
        List<Object> volumes = list(get(flinkDeployment(), "spec", "podTemplate", "spec", "volumes"));
        String volume = volumes.stream().map(DeploymentFilesTest::map)
                .filter(v -> v.get("persistentVolumeClaim") != null
                        && claim.equals(map(v.get("persistentVolumeClaim")).get("claimName")))
                .map(v -> (String) v.get("name")).findFirst()
                .orElseThrow(() -> new AssertionError("no pod volume uses the claim " + claim));
        String mountPath = list(mainContainer().get("volumeMounts")).stream().map(DeploymentFilesTest::map)
                .filter(m -> volume.equals(m.get("name"))).map(m -> (String) m.get("mountPath")).findFirst()
                .orElseThrow(() -> new AssertionError(MAIN_CONTAINER + " does not mount " + volume));
        assertThat(mountPath).startsWith("/").doesNotEndWith("/");
        return mountPath;
    }

    private static List<String> claimNames(List<Object> volumes) {
        return volumes.stream().map(DeploymentFilesTest::map).filter(v -> v.get("persistentVolumeClaim") != null)
                .map(v -> (String) map(v.get("persistentVolumeClaim")).get("claimName")).collect(Collectors.toList());
    }

    private static Object get(Map<String, Object> object, String... path) {
        Object at = object;
        for (String key : path) {
            assertThat(at).as("parent of %s in %s", key, String.join(".", path)).isInstanceOf(Map.class);
            at = map(at).get(key);
            assertThat(at).as(String.join(".", path)).isNotNull();
        }
        return at;
    }

    private static String str(Map<String, Object> object, String... path) {
        Object value = get(object, path);
        assertThat(value).as(String.join(".", path)).isInstanceOf(String.class);
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }
}
