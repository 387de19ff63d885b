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
     * Applies one update.
     *
     * @param params parameters (modified)
     * @param gradientSum G (not modified)
     * @param lossTerms n
     * @return the norm of g before clipping, or NaN when n = 0 and no step was made
     */
    public double apply(Parameters params, Parameters gradientSum, long lossTerms) {
        if (lossTerms <= 0) {
            return Double.NaN;
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

    public Optimizer optimizer() {
        return optimizer;
    }
}
