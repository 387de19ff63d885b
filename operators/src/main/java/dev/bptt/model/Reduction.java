package dev.bptt.model;

import java.util.Locale;

/** How a bucket's gradient sum G over n loss terms becomes the gradient g of one update. */
public enum Reduction {
    /** {@code g = G / n}. */
    MEAN,
    /** {@code g = G}. */
    SUM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Reduction parse(String name) {
        for (Reduction r : values()) {
            if (r.id().equalsIgnoreCase(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reduction '" + name + "' (expected mean or sum)");
    }
}
