package dev.bptt.flink;

import dev.bptt.model.Parameters;
import dev.bptt.model.WindowLoss;
import dev.bptt.records.GradientPartial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GradientSum's local half: one subtask's running sums per event-time bucket (gradient, loss,
 * loss terms, windows, steps), taken out as {@link GradientPartial}s once a bucket is complete.
 * Plain Java.
 */
final class BucketSums {

    /** A bucket's running sum. */
    private static final class Sum {
        final Parameters gradient;
        double lossSum;
        long lossTerms;
        long windows;
        long steps;
        long minVersion = -1;

        Sum(Parameters zeros) {
            gradient = zeros;
        }
    }

    private final Parameters template;
    private final TreeMap<Long, Sum> sums = new TreeMap<>();

    BucketSums(Parameters template) {
        this.template = template;
    }

    /** The gradient buffer of a bucket, to add a window into (modified by the caller). */
    Parameters gradientOf(long bucket) {
        return sum(bucket).gradient;
    }

    void addWindow(long bucket, WindowLoss loss) {
        Sum sum = sum(bucket);
        sum.lossSum += loss.sum();
        sum.lossTerms += loss.terms();
        sum.windows++;
    }

    void addStep(long bucket, long version) {
        Sum sum = sum(bucket);
        sum.steps++;
        sum.minVersion = sum.minVersion < 0 ? version : Math.min(sum.minVersion, version);
    }

    /** Removes and returns the partials of every bucket {@code <= lastBucket}, oldest first. */
    List<GradientPartial> takeThrough(long lastBucket, int subtask) {
        List<GradientPartial> out = new ArrayList<>();
        while (!sums.isEmpty() && sums.firstKey() <= lastBucket) {
            Map.Entry<Long, Sum> e = sums.pollFirstEntry();
            Sum s = e.getValue();
            out.add(new GradientPartial(e.getKey(), subtask, s.gradient.toFlat(), s.lossSum, s.lossTerms, s.windows,
                    s.steps, s.minVersion));
        }
        return out;
    }

    /** Every open sum as partials (for a snapshot), without removing them. */
    List<GradientPartial> snapshot(int subtask) {
        List<GradientPartial> out = new ArrayList<>();
        sums.forEach((bucket, s) -> out.add(new GradientPartial(bucket, subtask, s.gradient.toFlat(), s.lossSum,
                s.lossTerms, s.windows, s.steps, s.minVersion)));
        return out;
    }

    /** Adds a snapshotted partial back. */
    void restore(GradientPartial p) {
        Sum s = sum(p.bucket());
        s.gradient.addInPlace(Parameters.fromFlat(template.shape(), p.gradient()));
        s.lossSum += p.lossSum();
        s.lossTerms += p.lossTerms();
        s.windows += p.windows();
        s.steps += p.steps();
        if (p.minVersion() >= 0) {
            s.minVersion = s.minVersion < 0 ? p.minVersion() : Math.min(s.minVersion, p.minVersion());
        }
    }

    private Sum sum(long bucket) {
        return sums.computeIfAbsent(bucket, b -> new Sum(template.zerosLike()));
    }
}
