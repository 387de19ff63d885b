package dev.bptt.job.tools;

import dev.bptt.model.ParameterArrays;
import java.nio.file.Path;

/**
 * Compares two parameter files for the cluster test scripts when NumPy is not installed:
 * {@code CompareParams ACTUAL.npz EXPECTED.npz} prints the largest relative difference
 * {@code |a - b| / max(1, |b|)} over all parameters (the job tests' tolerance measure) and exits
 * 0, or 1 when the files hold different model shapes.
 */
public final class CompareParams {

    private CompareParams() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CompareParams ACTUAL.npz EXPECTED.npz");
            System.exit(2);
        }
        double[] a = ParameterArrays.read(Path.of(args[0])).toFlat();
        double[] b = ParameterArrays.read(Path.of(args[1])).toFlat();
        if (a.length != b.length) {
            System.err.println("different parameter counts: " + a.length + " vs " + b.length);
            System.exit(1);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
        }
        System.out.println(max);
    }
}
