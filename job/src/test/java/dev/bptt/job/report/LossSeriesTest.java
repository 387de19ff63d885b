package dev.bptt.job.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the loss plots draw: finite losses, their trailing moving average, the y-axis scale. */
class LossSeriesTest {

    private static List<VersionMetrics> losses(double... values) {
        List<VersionMetrics> rows = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            rows.add(new VersionMetrics(i + 1, 1000L * i, values[i], 10, 1.0, 100.0, 0));
        }
        return rows;
    }

    @Test
    void rowsWithoutAFiniteLossAreLeftOut() {
        LossSeries s = LossSeries.of(losses(1, Double.NaN, 3, Double.POSITIVE_INFINITY, 5));

        assertThat(s.versions()).containsExactly(1, 3, 5);
        assertThat(s.losses()).containsExactly(1, 3, 5);
    }

    @Test
    void theMovingAverageWindowIsATwentiethOfThePointsAndAtLeastOne() {
        assertThat(LossSeries.of(losses(1, 2, 3)).window()).isEqualTo(1);
        assertThat(LossSeries.of(losses(new double[59])).window()).isEqualTo(2);
        assertThat(LossSeries.of(losses(new double[60])).window()).isEqualTo(3);
    }

    @Test
    void theMovingAverageIsTheTrailingMeanOverTheWindow() {
        double[] values = new double[40];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * i;
        }
        LossSeries average = LossSeries.of(losses(values)).movingAverage();

        assertThat(average.versions()).isEqualTo(LossSeries.of(losses(values)).versions());
        assertThat(average.losses()[0]).isEqualTo(0);
        assertThat(average.losses()[1]).isCloseTo(0.5, within(1e-12));
        assertThat(average.losses()[39]).isCloseTo((38 * 38 + 39 * 39) / 2.0, within(1e-9));
    }

    @Test
    void aLogScaleIsUsedOnlyForPositiveValuesSpanningMoreThanTwoDecades() {
        assertThat(LossSeries.wantsLogScale(List.of(LossSeries.of(losses(10, 0.05))))).isTrue();
        assertThat(LossSeries.wantsLogScale(List.of(LossSeries.of(losses(10, 0.1))))).isFalse();
        assertThat(LossSeries.wantsLogScale(List.of(LossSeries.of(losses(10, 0.0))))).isFalse();
        assertThat(LossSeries.wantsLogScale(List.of(LossSeries.of(losses(5)), LossSeries.of(losses(0.01))))).isTrue();
        assertThat(LossSeries.wantsLogScale(List.of())).isFalse();
    }
}
