package dev.bptt.model;

/**
 * Sizes of one network: a single-layer cell of hidden size H over inputs of size I, with a linear
 * readout to O outputs.
 *
 * @param cell the recurrent cell
 * @param inputSize I, the length of every step's input vector
 * @param hiddenSize H
 * @param outputSize O, the readout's size (number of classes for xent)
 */
public record ModelShape(CellKind cell, int inputSize, int hiddenSize, int outputSize) implements java.io.Serializable {

    public ModelShape {
        if (cell == null) {
            throw new IllegalArgumentException("cell is required");
        }
        if (inputSize < 1 || hiddenSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException(
                    "sizes must be >= 1: input " + inputSize + ", hidden " + hiddenSize + ", output " + outputSize);
        }
    }

    /** Size of the recurrent state s: H, or 2H for lstm's (h, c). */
    public int stateSize() {
        return cell.stateBlocks() * hiddenSize;
    }

    /** Rows of the stacked gate matrices: gates x H. */
    public int gateRows() {
        return cell.gates() * hiddenSize;
    }

    @Override
    public String toString() {
        return cell.id() + "(input " + inputSize + ", hidden " + hiddenSize + ", output " + outputSize + ")";
    }
}
