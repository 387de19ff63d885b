package dev.bptt.npz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Validation, factories and value semantics of {@link NdArray}. */
class NpzNdArrayTest {

  @Test
  void constructorRejectsDataLengthThatDoesNotMatchShape() {
    assertThatThrownBy(() -> new NdArray(new int[] {2, 3}, new double[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("6")
        .hasMessageContaining("5");
  }

  @Test
  void constructorRejectsNegativeDimension() {
    assertThatThrownBy(() -> new NdArray(new int[] {-1, -2}, new double[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void zeroDimensionalShapeHoldsExactlyOneValue() {
    NdArray scalar = NdArray.scalar(1.5);
    assertThat(scalar.shape()).isEmpty();
    assertThat(scalar.size()).isEqualTo(1);
    assertThat(scalar.data()).containsExactly(1.5);
    assertThatThrownBy(() -> new NdArray(new int[0], new double[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoriesBuildVectorsAndMatrices() {
    NdArray v = NdArray.vector(new double[] {1, 2, 3});
    NdArray m = NdArray.matrix(2, 3, new double[] {1, 2, 3, 4, 5, 6});
    assertThat(v.shape()).containsExactly(3);
    assertThat(m.shape()).containsExactly(2, 3);
    assertThat(m.size()).isEqualTo(6);
    assertThat(m.rank()).isEqualTo(2);
    assertThatThrownBy(() -> NdArray.matrix(2, 2, new double[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalsAndHashCodeCompareContents() {
    NdArray a = NdArray.matrix(1, 2, new double[] {1, Double.NaN});
    NdArray b = NdArray.matrix(1, 2, new double[] {1, Double.NaN});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(NdArray.vector(new double[] {1, Double.NaN}));
    assertThat(NdArray.scalar(0.0)).isNotEqualTo(NdArray.scalar(-0.0));
  }

  @Test
  void toStringShowsShapeAndValuesAndElidesLongData() {
    assertThat(NdArray.matrix(1, 2, new double[] {0.5, -1}))
        .hasToString("NdArray[shape=[1, 2], data=[0.5, -1.0]]");
    assertThat(NdArray.vector(new double[100]).toString())
        .contains("shape=[100]")
        .contains("... (100 values)");
  }

  @Test
  void shapeCannotBeChangedFromOutside() {
    int[] shape = {2, 2};
    NdArray a = new NdArray(shape, new double[4]);
    shape[0] = 4;
    a.shape()[1] = 7;
    assertThat(a.shape()).containsExactly(2, 2);
  }
}
