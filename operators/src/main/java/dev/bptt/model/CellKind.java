package dev.bptt.model;

import java.util.Locale;

/**
 * The recurrent cells, each exactly as PyTorch computes it. {@link #gates()} is the number of
 * H-row blocks stacked in {@code weight_ih_l0}/{@code weight_hh_l0}, in PyTorch's order.
 */
public enum CellKind {
    /** {@code torch.nn.RNNCell(nonlinearity='tanh')}: one block. */
    RNN(1, 1),
    /** {@code torch.nn.GRUCell}: blocks (r, z, n). */
    GRU(3, 1),
    /** {@code torch.nn.LSTMCell}: blocks (i, f, g, o); the state is (h, c). */
    LSTM(4, 2);

    private final int gates;
    private final int stateBlocks;

    CellKind(int gates, int stateBlocks) {
        this.gates = gates;
        this.stateBlocks = stateBlocks;
    }

    /** Number of H-row gate blocks in the stacked weight matrices. */
    public int gates() {
        return gates;
    }

    /** State size in units of H: 1 for (h), 2 for lstm's (h, c). */
    public int stateBlocks() {
        return stateBlocks;
    }

    /** Lower-case name as used on the command line: rnn, gru, lstm. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code rnn}, {@code gru} or {@code lstm} (case-insensitive). */
    public static CellKind parse(String name) {
        for (CellKind kind : values()) {
            if (kind.id().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown cell '" + name + "' (expected rnn, gru or lstm)");
    }

    /** The cell whose {@code weight_hh_l0} has {@code rows} = gates x {@code cols}. */
    public static CellKind fromWeightHh(int rows, int cols) {
        for (CellKind kind : values()) {
            if (cols > 0 && rows == kind.gates * cols) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "weight_hh_l0 is " + rows + " x " + cols + ": rows must be 1, 3 or 4 times columns (rnn, gru, lstm)");
    }
}
