package dev.bptt.model;

import java.util.Locale;

/** The update rules on offer, with PyTorch's default learning rates. */
public enum OptimizerKind {
    /** {@code torch.optim.SGD}, default lr 0.01. */
    SGD(0.01),
    /** {@code torch.optim.Adam}, default lr 0.001. */
    ADAM(0.001);

    private final double defaultLr;

    OptimizerKind(double defaultLr) {
        this.defaultLr = defaultLr;
    }

    public double defaultLr() {
        return defaultLr;
    }

    /** A fresh optimizer; {@code momentum} applies to SGD only. */
    public Optimizer create(double lr, double momentum) {
        return switch (this) {
            case SGD -> new Sgd(lr, momentum);
            case ADAM -> new Adam(lr);
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OptimizerKind parse(String name) {
        for (OptimizerKind kind : values()) {
            if (kind.id().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected sgd or adam)");
    }
}
