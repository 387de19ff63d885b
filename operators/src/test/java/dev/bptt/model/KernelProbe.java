package dev.bptt.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixed run of every kernel path the operators use (batched forward of three keys, their
 * window backward, one TbpttWindow) whose numbers are printed one per line after the kernel
 * implementation's name; {@code main} lets a test run it in a JVM started without
 * {@code --add-modules jdk.incubator.vector}.
 */
final class KernelProbe {

    private KernelProbe() {}

    public static void main(String[] args) {
        System.out.println(Kernels.implementation());
        for (double v : numbers()) {
            System.out.println(v);
        }
    }

    /** States, predictions, window losses and gradients of the fixed run, for every cell kind. */
    static List<Double> numbers() {
        List<Double> out = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            ModelShape shape = new ModelShape(cell, 3, 5, 2);
            Parameters w = ParameterInit.uniform(shape, 11);
            int keys = 3;
            double[] states = new double[keys * shape.stateSize()];
            double[] predictions = new double[keys * shape.outputSize()];
            StepRing[] rings = new StepRing[keys];
            for (int b = 0; b < keys; b++) {
                rings[b] = StepRing.forShape(shape, 4);
            }
            BatchForward forward = new BatchForward(shape, keys);
            for (int t = 0; t < 4; t++) {
                double[] inputs = new double[keys * shape.inputSize()];
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i] = Math.sin(1.7 * i + t);
                }
                for (int b = 0; b < keys; b++) {
                    rings[b].push(inputs, b * shape.inputSize(), states, b * shape.stateSize(),
                            new double[] {0.5, -0.25}, 0, StepRing.NO_TARGET, 0);
                }
                forward.step(w, inputs, states, predictions, keys);
                add(out, states);
                add(out, predictions);
            }
            StepRing alone = rings[0].copy();
            Parameters grad = w.zerosLike();
            double[] losses = new double[keys];
            new BatchBackward(shape, Loss.MSE, keys).backward(rings, keys, v -> w, grad, losses, new int[keys]);
            add(out, losses);
            add(out, grad.toFlat());
            Parameters windowGrad = w.zerosLike();
            out.add(new TbpttWindow(shape, Loss.MSE).backward(alone, v -> w, windowGrad).sum());
            add(out, windowGrad.toFlat());
        }
        return out;
    }

    private static void add(List<Double> out, double[] values) {
        for (double v : values) {
            out.add(v);
        }
    }
}
