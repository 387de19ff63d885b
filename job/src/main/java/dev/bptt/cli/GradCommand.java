package dev.bptt.cli;

import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OfflineTbptt;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.npz.NdArray;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.KeyProgress;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepOrder;
import dev.bptt.steps.StepParser;
import dev.bptt.steps.StepSchema;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bptt grad}: the TBPTT(k1, k2) gradient of a whole steps file under fixed parameters.
 * No training and no Flink. An exact tool: any record that breaks CONTRACT.md §2 stops it with
 * exit status 2 naming the line, rather than computing the gradient of something else.
 */
@Command(
        name = "grad",
        mixinStandardHelpOptions = true,
        description = {
            "Computes the TBPTT(k1, k2) gradient of a whole input under fixed parameters.",
            "No training and no Flink.",
            "A window closes at step t when (t+1) is a multiple of k1, at a step with \"last\", and at the end of",
            "the input; its loss terms are back-propagated through steps max(0, t-k2+1)..t. Writes the",
            "gradient sums under the parameter names, plus loss_sum and loss_terms (0-d arrays)."
        })
final class GradCommand implements Callable<Integer> {

    @Option(names = "--params", required = true, description = "Parameter file (.npz).")
    Path params;

    @Option(names = "--steps", required = true, description = "Sequence steps, one JSON object per line.")
    Path steps;

    @Mixin
    WindowOptions window;

    @Option(names = "--out", required = true, description = "Gradient file to write (.npz, float64).")
    Path out;

    @Override
    public Integer call() throws Exception {
        int k2 = window.k2();
        Parameters w = Inputs.parameters("--params", params);
        Inputs.requireFile("--steps", steps);
        ModelShape shape = w.shape();
        StepParser parser = new StepParser(
                new StepSchema(shape.inputSize(), shape.outputSize(), window.loss == Loss.XENT, false));
        OfflineTbptt tbptt = new OfflineTbptt(w, window.loss, window.k1, k2);
        Map<String, KeyProgress> progress = new HashMap<>();
        long lineNumber = 0;
        long records = 0;
        try (BufferedReader reader = Files.newBufferedReader(steps, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    SequenceStep step = parser.parse(line);
                    KeyProgress next = StepOrder.advance(progress.getOrDefault(step.key(), KeyProgress.NONE), step);
                    progress.put(step.key(), next);
                    tbptt.accept(step);
                    records++;
                } catch (BadStepException e) {
                    throw new UsageException("--steps " + steps + " line " + lineNumber + ": " + e.getMessage());
                }
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UsageException("--steps " + steps + " line " + (lineNumber + 1) + ": malformed_json: not UTF-8");
        }
        tbptt.finish();
        Map<String, NdArray> extras = new LinkedHashMap<>();
        extras.put("loss_sum", NdArray.scalar(tbptt.lossSum()));
        extras.put("loss_terms", NdArray.scalar(tbptt.lossTerms()));
        ParameterArrays.write(out, tbptt.gradient(), extras);
        System.out.printf("wrote %s: %d steps, %d windows, %d loss terms, loss sum %.10g%n",
                out, records, tbptt.windows(), tbptt.lossTerms(), tbptt.lossSum());
        return Main.OK;
    }
}
