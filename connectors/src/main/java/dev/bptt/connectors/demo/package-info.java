/** Built-in demo tasks: synthetic sequence steps for {@code bptt demo} and tests. Flink-free. */
package dev.bptt.connectors.demo;
