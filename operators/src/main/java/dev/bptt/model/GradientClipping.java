package dev.bptt.model;

/**
 * Global-norm clipping as {@code torch.nn.utils.clip_grad_norm_(max_norm, norm_type=2)}:
 * {@code g <- g * min(1, C / (||g|| + 1e-6))}, the norm taken over all tensors together.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales {@code grad} in place (modified) and returns its norm before clipping.
     *
     * @param maxNorm C, > 0
     */
    public static double clipInPlace(Parameters grad, double maxNorm) {
        double norm = grad.globalNorm();
        double factor = Math.min(1.0, maxNorm / (norm + 1e-6));
        grad.scaleInPlace(factor);
        return norm;
    }
}
