package dev.bptt.model;

/**
 * The loss a closed window counted.
 *
 * @param sum sum of its loss terms
 * @param terms number of loss terms (steps with a target)
 */
public record WindowLoss(double sum, int terms) {}
