package dev.bptt.cli;

import dev.bptt.model.CellKind;
import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bptt init}: initial parameters with PyTorch's default initialisation. */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {
            "Writes initial parameters with PyTorch's default initialisation.",
            "Every weight and bias is uniform in [-1/sqrt(H), 1/sqrt(H)), as nn.RNN/GRU/LSTM and nn.Linear(H, O)",
            "draw them. The same seed gives the same file."
        })
final class InitCommand implements Callable<Integer> {

    @Option(names = "--cell", required = true, converter = Converters.Cell.class,
            description = "rnn (tanh), gru or lstm.")
    CellKind cell;

    @Option(names = "--input", required = true, description = "Input size I.")
    int input;

    @Option(names = "--hidden", required = true, description = "Hidden size H.")
    int hidden;

    @Option(names = "--output", required = true, description = "Readout size O (classes for xent).")
    int output;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Parameter file to write (.npz, float64).")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (String[] size : new String[][] {{"--input", "" + input}, {"--hidden", "" + hidden}, {"--output", "" + output}}) {
            if (Integer.parseInt(size[1]) < 1) {
                throw new UsageException(size[0] + " must be >= 1, got " + size[1]);
            }
        }
        ModelShape shape = new ModelShape(cell, input, hidden, output);
        Parameters params = ParameterInit.uniform(shape, seed);
        ParameterArrays.write(out, params, Map.of());
        System.out.println("wrote " + out + ": " + shape + ", " + params.size() + " parameters, seed " + seed);
        return Main.OK;
    }
}
