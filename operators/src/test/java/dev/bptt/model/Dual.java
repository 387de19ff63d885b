package dev.bptt.model;

/**
 * A dual number {@code v + d epsilon} (epsilon^2 = 0): forward-mode differentiation for the
 * independent reference the gradient tests compare against. Exact to rounding, no step size.
 */
record Dual(double v, double d) {

    static final Dual ZERO = new Dual(0, 0);

    static Dual of(double v) {
        return new Dual(v, 0);
    }

    Dual plus(Dual o) {
        return new Dual(v + o.v, d + o.d);
    }

    Dual minus(Dual o) {
        return new Dual(v - o.v, d - o.d);
    }

    Dual times(Dual o) {
        return new Dual(v * o.v, d * o.v + v * o.d);
    }

    Dual tanh() {
        double t = Math.tanh(v);
        return new Dual(t, d * (1 - t * t));
    }

    Dual sigmoid() {
        double s = 1.0 / (1.0 + Math.exp(-v));
        return new Dual(s, d * s * (1 - s));
    }

    Dual exp() {
        double e = Math.exp(v);
        return new Dual(e, d * e);
    }

    Dual log() {
        return new Dual(Math.log(v), d / v);
    }
}
