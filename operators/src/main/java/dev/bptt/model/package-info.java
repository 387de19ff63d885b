/** Flink-free math: cells, readout, losses, the TBPTT window recursion, optimizers. */
package dev.bptt.model;
