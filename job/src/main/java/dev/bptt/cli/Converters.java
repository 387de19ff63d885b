package dev.bptt.cli;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.Reduction;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters whose errors say what the valid values are. */
final class Converters {

    private Converters() {}

    static final class Cell implements ITypeConverter<CellKind> {
        @Override
        public CellKind convert(String value) {
            try {
                return CellKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LossName implements ITypeConverter<Loss> {
        @Override
        public Loss convert(String value) {
            try {
                return Loss.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class OptimizerName implements ITypeConverter<OptimizerKind> {
        @Override
        public OptimizerKind convert(String value) {
            try {
                return OptimizerKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ReductionName implements ITypeConverter<Reduction> {
        @Override
        public Reduction convert(String value) {
            try {
                return Reduction.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
