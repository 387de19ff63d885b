package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TBPTT gradient against central finite differences of the truncated objective, and against
 * exact forward-mode derivatives of an independent implementation, for every cell, loss and the
 * (k1, k2) pairs of the acceptance list.
 */
class TbpttGradientTest {

    /**
     * Finite-difference step. Measured here on these cases, the worst relative error of the
     * sixth-order central difference was 1.5e-8 at h = 1e-2, against 4e-6 for the plain
     * two-point difference at its best h: rounding in J (about 20) dominates small steps.
     */
    private static final double H = 1e-2;
    /** Relative error allowed against finite differences, where |g| > {@link #FLOOR}. */
    private static final double FD_TOLERANCE = 1e-6;
    private static final double FLOOR = 1e-8;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] windows = {{1, 1}, {3, 3}, {3, 7}, {4, 12}};
        for (CellKind cell : CellKind.values()) {
            for (Loss loss : Loss.values()) {
                for (int[] k : windows) {
                    cases.add(Arguments.of(cell, loss, k[0], k[1]));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} k1={2} k2={3}")
    @MethodSource("cases")
    void gradientMatchesCentralFiniteDifferencesOfTheTruncatedObjective(CellKind cell, Loss loss, int k1, int k2) {
        ModelShape shape = new ModelShape(cell, 3, 4, 3);
        Parameters w = ParameterInit.uniform(shape, 7 + k1 * 31L + k2);
        List<SequenceStep> input = Scenarios.mixed(shape, loss, 11 * k1 + k2);
        Parameters grad = tbptt(w, loss, k1, k2, input).gradient();
        ReferenceModel reference = new ReferenceModel(w, loss, input, k1, k2);

        double[] g = grad.toFlat();
        double worst = 0;
        int checked = 0;
        for (int p = 0; p < g.length; p++) {
            double numeric = centralDifference(reference, p);
            if (Math.abs(g[p]) > FLOOR) {
                double rel = Math.abs(g[p] - numeric) / Math.max(Math.abs(g[p]), Math.abs(numeric));
                worst = Math.max(worst, rel);
                checked++;
                assertThat(rel).as("parameter %d: tbptt %s vs finite difference %s", p, g[p], numeric)
                        .isLessThanOrEqualTo(FD_TOLERANCE);
            } else {
                assertThat(Math.abs(numeric)).as("parameter %d", p).isLessThan(1e-7);
            }
        }
        assertThat(checked).as("entries above the floor").isGreaterThan(g.length / 2);
        assertThat(worst).isLessThanOrEqualTo(FD_TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1} k1={2} k2={3}")
    @MethodSource("cases")
    void gradientEqualsExactDerivativeOfIndependentImplementation(CellKind cell, Loss loss, int k1, int k2) {
        ModelShape shape = new ModelShape(cell, 3, 4, 3);
        Parameters w = ParameterInit.uniform(shape, 3 + k1 + k2);
        List<SequenceStep> input = Scenarios.mixed(shape, loss, 5 * k1 + k2);
        OfflineTbptt tbptt = tbptt(w, loss, k1, k2, input);
        ReferenceModel reference = new ReferenceModel(w, loss, input, k1, k2);

        assertClose(tbptt.lossSum(), reference.objective(-1, 0).v(), 1e-12);
        assertThat(tbptt.lossTerms()).isEqualTo(input.stream().filter(SequenceStep::hasTarget).count());
        assertThat(tbptt.windows()).isEqualTo(reference.windows().size());
        double[] g = tbptt.gradient().toFlat();
        for (int p = 0; p < g.length; p++) {
            assertClose(g[p], reference.objective(p, 0).d(), 1e-12);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cellsAndLosses")
    void windowCoveringTheSequenceGivesFullBptt(CellKind cell, Loss loss) {
        ModelShape shape = new ModelShape(cell, 2, 5, 3);
        Parameters w = ParameterInit.uniform(shape, 99);
        List<SequenceStep> input = Scenarios.mixed(shape, loss, 1234);
        int longest = 11;
        for (int k : new int[] {longest, longest + 5}) {
            OfflineTbptt tbptt = tbptt(w, loss, k, k, input);
            ReferenceModel unrolled = new ReferenceModel(w, loss, input, k, k);
            for (ReferenceModel.Window win : unrolled.windows()) {
                assertThat(win.first()).isZero();
                assertThat(win.countedFrom()).isZero();
                assertThat(win.close()).isEqualTo(win.seq().size() - 1);
            }
            double[] g = tbptt.gradient().toFlat();
            for (int p = 0; p < g.length; p++) {
                assertClose(g[p], unrolled.objective(p, 0).d(), 1e-12);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cellsAndLosses")
    void forwardPassMatchesIndependentImplementation(CellKind cell, Loss loss) {
        ModelShape shape = new ModelShape(cell, 3, 6, 2);
        Parameters w = ParameterInit.uniform(shape, 5);
        List<SequenceStep> seq = Scenarios.sequence("k", 20, false, shape, loss, new java.util.SplittableRandom(8));
        List<double[]> expected = new ReferenceModel(w, loss, seq, 1, 1).states(seq);
        SequenceForward forward = new SequenceForward(shape);
        double[] state = new double[shape.stateSize()];
        for (int t = 0; t < seq.size(); t++) {
            forward.step(w, seq.get(t).input(), state, null);
            for (int j = 0; j < state.length; j++) {
                assertThat(Math.abs(state[j] - expected.get(t)[j])).isLessThanOrEqualTo(1e-14);
            }
        }
    }

    static Stream<Arguments> cellsAndLosses() {
        List<Arguments> out = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            for (Loss loss : Loss.values()) {
                out.add(Arguments.of(cell, loss));
            }
        }
        return out.stream();
    }

    static OfflineTbptt tbptt(Parameters w, Loss loss, int k1, int k2, List<SequenceStep> input) {
        OfflineTbptt tbptt = new OfflineTbptt(w, loss, k1, k2);
        input.forEach(tbptt::accept);
        tbptt.finish();
        return tbptt;
    }

    /**
     * Sixth-order central difference of the truncated objective in parameter p:
     * (J(3h) - 9J(2h) + 45J(h) - 45J(-h) + 9J(-2h) - J(-3h)) / 60h.
     */
    private static double centralDifference(ReferenceModel reference, int p) {
        double[] j = new double[7];
        for (int k = -3; k <= 3; k++) {
            j[k + 3] = k == 0 ? 0 : reference.objective(p, k * H).v();
        }
        return (j[6] - 9 * j[5] + 45 * j[4] - 45 * j[2] + 9 * j[1] - j[0]) / (60 * H);
    }

    static void assertClose(double actual, double expected, double relative) {
        double scale = Math.max(1e-3, Math.max(Math.abs(actual), Math.abs(expected)));
        assertThat(Math.abs(actual - expected)).as("%s vs %s", actual, expected).isLessThanOrEqualTo(relative * scale);
    }
}
