package dev.bptt.model;

/**
 * One parameter update from a bucket's gradient sum, as CONTRACT.md §4 defines it: reduce
 * ({@code g = G / n} or {@code G}), clip to a global norm if asked, then one optimizer step. A
 * bucket with {@code n = 0} makes no step. Keeps the optimizer's state; not thread-safe.
 */
public final class UpdateRule {

    private final Optimizer optimizer;
    private final Reduction reduction;
    private final double clipNorm;
    private Parameters scratch;

    /**
     * @param clipNorm C > 0 to clip, or 0 for no clipping
     */
    public UpdateRule(Optimizer optimizer, Reduction reduction, double clipNorm) {
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clip norm must be > 0 (or 0 for none), got " + clipNorm);
        }
        this.optimizer = optimizer;
        this.reduction = reduction;
        this.clipNorm = clipNorm;
    }

    /**
     * Applies one update. A bucket with n = 0 makes no step (CONTRACT.md §4): callers check
     * {@link #makesStep} first. A non-finite gradient (a diverged model) is applied as
     * {@code torch.optim} applies it: the parameters become non-finite and the norm says so.
     *
     * @param params parameters (modified)
     * @param gradientSum G (not modified)
     * @param lossTerms n, at least 1
     * @return the norm of g before clipping (NaN or infinite when G is not finite)
     */
    public double apply(Parameters params, Parameters gradientSum, long lossTerms) {
        if (!makesStep(lossTerms)) {
            throw new IllegalArgumentException("a bucket with " + lossTerms + " loss terms makes no step");
        }
        if (scratch == null) {
            scratch = gradientSum.zerosLike();
        }
        scratch.setTo(gradientSum);
        if (reduction == Reduction.MEAN) {
            scratch.divideInPlace(lossTerms);
        }
        double norm = clipNorm > 0 ? GradientClipping.clipInPlace(scratch, clipNorm) : scratch.globalNorm();
        optimizer.step(params, scratch);
        return norm;
    }

    /** True when a sum of {@code lossTerms} loss terms makes an optimizer step (n >= 1). */
    public static boolean makesStep(long lossTerms) {
        return lossTerms > 0;
    }

    public Optimizer optimizer() {
        return optimizer;
    }
}
