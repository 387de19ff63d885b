/** The Flink operators: thin glue around the math core ({@code dev.bptt.model}). */
package dev.bptt.flink;
