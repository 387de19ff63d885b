/**
 * A Prometheus metrics reporter that listens on one chosen address (127.0.0.1 by default) instead
 * of every interface, as Flink's own {@code PrometheusReporter} does. It reuses Flink's metric
 * translation ({@code AbstractPrometheusReporter}), so names and labels are the same, e.g.
 * {@code flink_taskmanager_job_task_operator_steps{job_id=...,task_id=...,subtask_index=...}}.
 * Configured per process with {@code metrics.reporter.<name>.factory.class:
 * dev.bptt.connectors.metrics.BindHostPrometheusReporterFactory}, {@code .host} and {@code .port}.
 */
package dev.bptt.connectors.metrics;
