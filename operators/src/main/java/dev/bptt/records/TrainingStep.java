package dev.bptt.records;

/**
 * A step after its forward pass, from ForwardStep to TbpttBackward: what the backward pass needs
 * to recompute it (x_t, s_{t-1}, the parameter version used) and its loss target.
 *
 * @param targetClass xent class, or -1 ({@code StepRing.NO_TARGET}) when none or mse
 */
public record TrainingStep(
        String key, long step, long time, long bucket, double[] input, double[] statePrev, double[] target,
        int targetClass, boolean last, long version) {}
