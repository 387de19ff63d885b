/**
 * What a training run leaves behind for people: the per-version metrics CSV ({@link
 * dev.bptt.job.report.MetricsCsv}), loss-curve PNGs ({@link dev.bptt.job.report.LossPlot}) and the
 * dead-letter file of unusable records ({@link dev.bptt.job.report.DeadLetterFile}). Flink-free.
 */
package dev.bptt.job.report;
