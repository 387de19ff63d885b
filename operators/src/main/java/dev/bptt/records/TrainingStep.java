package dev.bptt.records;

/**
 * A step after its forward pass, from ForwardStep to TbpttBackward: what the backward pass needs
 * to recompute it (x_t, s_{t-1}, the parameter version used) and its loss target, and the
 * activations that spare it the recompute when ForwardStep ran the step batched. Or, with
 * {@code step == }{@link #EXPIRY}, the marker that the key's sequence expired after the idle
 * timeout at {@code time}: its open window closes into {@code bucket}.
 *
 * @param targetClass xent class, or -1 ({@code StepRing.NO_TARGET}) when none or mse
 * @param activations the step's activations ({@code BatchForward.activations}: 4H values for the
 *     GRU and LSTM), or null for the Elman cell, on the per-key path, or when not kept
 */
public record TrainingStep(
        String key, long step, long time, long bucket, double[] input, double[] statePrev, double[] target,
        int targetClass, boolean last, long version, double[] activations) {

    /** A step without activations: the backward pass recomputes it. */
    public TrainingStep(String key, long step, long time, long bucket, double[] input, double[] statePrev,
            double[] target, int targetClass, boolean last, long version) {
        this(key, step, time, bucket, input, statePrev, target, targetClass, last, version, null);
    }

    /** {@link #step} of an expiry marker. */
    public static final long EXPIRY = -1;

    /** The marker that {@code key}'s sequence expired at {@code time}, in {@code bucket}. */
    public static TrainingStep expiry(String key, long time, long bucket) {
        return new TrainingStep(key, EXPIRY, time, bucket, new double[0], new double[0], null, -1, true, -1);
    }

    /** True for an expiry marker. */
    public boolean isExpiry() {
        return step == EXPIRY;
    }
}
