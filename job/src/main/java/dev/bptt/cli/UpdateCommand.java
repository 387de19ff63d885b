package dev.bptt.cli;

import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.UpdateRule;
import dev.bptt.npz.NdArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bptt update}: the training job's update rule applied offline, one optimizer step per
 * gradient file, exactly as ParameterUpdate applies it to a bucket (CONTRACT.md §4).
 */
@Command(
        name = "update",
        mixinStandardHelpOptions = true,
        description = {
            "Applies the training job's update rule to gradient files written by 'grad'.",
            "One update per file, in order: g = G / loss_terms (mean) or G (sum); clip to --clip-norm as clip_grad_norm_; one",
            "optimizer step as torch.optim.SGD / Adam. A file with loss_terms = 0 makes no step."
        })
final class UpdateCommand implements Callable<Integer> {

    @Option(names = "--params", required = true, description = "Parameters to start from (.npz).")
    Path params;

    @Option(names = "--grad", required = true, arity = "1..*", description = "Gradient files, one update each.")
    List<Path> grads;

    @Option(names = "--optimizer", defaultValue = "sgd", converter = Converters.OptimizerName.class,
            description = "sgd or adam (default: ${DEFAULT-VALUE}).")
    OptimizerKind optimizer;

    @Option(names = "--lr", description = "Learning rate (default 0.01 for sgd, 0.001 for adam).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--clip-norm", defaultValue = "0", description = "Clip g to this global 2-norm (0: off).")
    double clipNorm;

    @Option(names = "--reduction", defaultValue = "mean", converter = Converters.ReductionName.class,
            description = "mean (g = G / n) or sum (g = G). Default: ${DEFAULT-VALUE}.")
    Reduction reduction;

    @Option(names = "--out", required = true, description = "Updated parameter file (.npz, float64).")
    Path out;

    @Override
    public Integer call() throws Exception {
        double rate = lr == null ? optimizer.defaultLr() : lr;
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new UsageException("--lr must be a finite number >= 0, got " + rate);
        }
        if (!(momentum >= 0) || optimizer != OptimizerKind.SGD && momentum != 0) {
            throw new UsageException("--momentum must be >= 0 and is for sgd only, got " + momentum);
        }
        if (!(clipNorm >= 0)) {
            throw new UsageException("--clip-norm must be > 0 (0 for none), got " + clipNorm);
        }
        Parameters w = Inputs.parameters("--params", params);
        UpdateRule rule = new UpdateRule(optimizer.create(rate, momentum), reduction, clipNorm);
        int steps = 0;
        for (Path file : grads) {
            Map<String, NdArray> arrays = Inputs.arrays("--grad", file);
            Parameters g = Inputs.parameters("--grad", file, arrays);
            if (!g.shape().equals(w.shape())) {
                throw new UsageException("--grad " + file + ": shape " + g.shape() + " differs from --params " + w.shape());
            }
            NdArray terms = arrays.get("loss_terms");
            if (terms == null || terms.size() != 1) {
                throw new UsageException("--grad " + file + ": needs a 0-d 'loss_terms' array (as 'grad' writes)");
            }
            if (!Double.isNaN(rule.apply(w, g, (long) terms.data()[0]))) {
                steps++;
            }
        }
        ParameterArrays.write(out, w, Map.of());
        System.out.println("wrote " + out + ": " + steps + " " + optimizer.id() + " steps from " + grads.size()
                + " gradient files");
        return Main.OK;
    }
}
