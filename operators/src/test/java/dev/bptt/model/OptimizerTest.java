package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** SGD, momentum, Adam and clipping against their textbook recurrences, written out per scalar. */
class OptimizerTest {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 2, 3, 2);

    @Test
    void sgdWithoutMomentumStepsAgainstTheGradient() {
        Parameters w = ParameterInit.uniform(SHAPE, 1);
        Parameters g = ParameterInit.uniform(SHAPE, 2);
        double[] expected = w.toFlat();
        double[] gf = g.toFlat();
        for (int i = 0; i < expected.length; i++) {
            expected[i] -= 0.1 * gf[i];
        }
        new Sgd(0.1, 0).step(w, g);
        assertThat(w.toFlat()).containsExactly(expected, within(1e-15));
    }

    @Test
    void sgdMomentumKeepsAVelocityStartingAtTheFirstGradient() {
        Parameters w = ParameterInit.uniform(SHAPE, 1);
        double[] x = w.toFlat();
        double[] buf = new double[x.length];
        Sgd sgd = new Sgd(0.05, 0.9);
        for (int k = 0; k < 4; k++) {
            Parameters g = ParameterInit.uniform(SHAPE, 10 + k);
            double[] gf = g.toFlat();
            for (int i = 0; i < x.length; i++) {
                buf[i] = k == 0 ? gf[i] : 0.9 * buf[i] + gf[i];
                x[i] -= 0.05 * buf[i];
            }
            sgd.step(w, g);
        }
        assertThat(w.toFlat()).containsExactly(x, within(1e-14));
    }

    @Test
    void adamFollowsBiasCorrectedMoments() {
        Parameters w = ParameterInit.uniform(SHAPE, 1);
        double[] x = w.toFlat();
        double[] m = new double[x.length];
        double[] v = new double[x.length];
        Adam adam = new Adam(0.01);
        for (int k = 1; k <= 5; k++) {
            Parameters g = ParameterInit.uniform(SHAPE, 20 + k);
            double[] gf = g.toFlat();
            for (int i = 0; i < x.length; i++) {
                m[i] = 0.9 * m[i] + 0.1 * gf[i];
                v[i] = 0.999 * v[i] + 0.001 * gf[i] * gf[i];
                double mHat = m[i] / (1 - Math.pow(0.9, k));
                double vHat = v[i] / (1 - Math.pow(0.999, k));
                x[i] -= 0.01 * mHat / (Math.sqrt(vHat) + 1e-8);
            }
            adam.step(w, g);
        }
        assertThat(w.toFlat()).containsExactly(x, within(1e-12));
    }

    @Test
    void adamFirstStepMovesEveryParameterByAboutTheLearningRate() {
        Parameters w = ParameterInit.uniform(SHAPE, 1);
        Parameters before = w.copy();
        new Adam(0.001).step(w, ParameterInit.uniform(SHAPE, 3));
        double[] a = w.toFlat();
        double[] b = before.toFlat();
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - b[i])).isCloseTo(0.001, within(1e-6));
        }
    }

    @Test
    void optimizerStateRestoresToTheSameTrajectory() {
        for (Optimizer[] pair : new Optimizer[][] {{new Sgd(0.1, 0.5), new Sgd(0.1, 0.5)}, {new Adam(0.01), new Adam(0.01)}}) {
            Parameters w1 = ParameterInit.uniform(SHAPE, 1);
            Parameters w2 = w1.copy();
            pair[0].step(w1, ParameterInit.uniform(SHAPE, 5));
            pair[1].restore(pair[0].snapshot());
            w2.setTo(w1);
            pair[0].step(w1, ParameterInit.uniform(SHAPE, 6));
            pair[1].step(w2, ParameterInit.uniform(SHAPE, 6));
            assertThat(w2).isEqualTo(w1);
        }
    }

    @Test
    void clippingScalesToTheMaxNormOnlyWhenAbove() {
        Parameters g = ParameterInit.uniform(SHAPE, 4);
        double norm = Math.sqrt(sumOfSquares(g.toFlat()));
        Parameters big = g.copy();
        assertThat(GradientClipping.clipInPlace(big, norm / 2)).isCloseTo(norm, within(1e-15));
        assertThat(Math.sqrt(sumOfSquares(big.toFlat()))).isCloseTo(norm / 2 * norm / (norm + 1e-6), within(1e-15));
        Parameters small = g.copy();
        GradientClipping.clipInPlace(small, norm * 2);
        assertThat(small).isEqualTo(g);
    }

    @Test
    void updateRuleStepsWithANonFiniteGradientAndRefusesAnEmptyBucket() {
        UpdateRule rule = new TrainingOptions(Loss.MSE, 2, 2, OptimizerKind.SGD, 0.1, 0, 0, Reduction.MEAN, 100, 0)
                .newUpdateRule();
        Parameters w = ParameterInit.uniform(SHAPE, 5);
        Parameters g = ParameterInit.uniform(SHAPE, 6);
        Parameters nan = Parameters.fromFlat(SHAPE, withNaNFirst(g.toFlat()));
        assertThat(rule.apply(w, nan, 3)).isNaN();
        assertThat(w.toFlat()[0]).as("the step was made, as torch.optim makes it").isNaN();
        assertThatThrownBy(() -> rule.apply(w, g, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no step");
        assertThat(UpdateRule.makesStep(0)).isFalse();
        assertThat(UpdateRule.makesStep(1)).isTrue();
    }

    private static double[] withNaNFirst(double[] v) {
        v[0] = Double.NaN;
        return v;
    }

    private static double sumOfSquares(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return s;
    }
}
