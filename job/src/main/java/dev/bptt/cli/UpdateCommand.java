package dev.bptt.cli;

import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.model.UpdateRule;
import dev.bptt.npz.NdArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    UpdateOptions update;

    @Option(names = "--out", required = true, description = "Updated parameter file (.npz, float64).")
    Path out;

    @Override
    public Integer call() throws Exception {
        UpdateRule rule = update.newRule();
        Parameters w = Inputs.parameters("--params", params);
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
            long n = (long) terms.data()[0];
            if (UpdateRule.makesStep(n)) {
                rule.apply(w, g, n);
                steps++;
            }
        }
        ParameterArrays.write(out, w, Map.of());
        System.out.println("wrote " + out + ": " + steps + " " + update.optimizer.id() + " steps from " + grads.size()
                + " gradient files");
        return Main.OK;
    }
}
