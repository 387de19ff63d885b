/** Flink-free reader and writer for NumPy {@code .npz} archives of float64 arrays. */
package dev.bptt.npz;
