package dev.bptt.bench;

import dev.bptt.model.BatchBackward;
import dev.bptt.model.BatchForward;
import dev.bptt.model.CellKind;
import dev.bptt.model.Kernels;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.SequenceForward;
import dev.bptt.model.Sgd;
import dev.bptt.model.StepRing;
import dev.bptt.model.TbpttWindow;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The step kernels as the job runs them, float64, input 16, output 4, mse at every step,
 * TBPTT k1 = k2 = 32. One operation is one window of {@code batch} keys ({@code 32 x batch}
 * sequence-steps) or, for {@link #forwardStep}, one step of {@code batch} keys: multiply the
 * score by the steps per operation for steps/s ({@code bench/run-kernels.sh} does).
 *
 * <p>batch 1 runs the per-key classes the operators use today ({@link SequenceForward},
 * {@link TbpttWindow}); batch 64 the batched ones ({@link BatchForward}, {@link BatchBackward}).
 * Training is what the PyTorch anchors measure: the forward steps with their predictions, the
 * window's backward pass, and one SGD update. As in the job, a batched forward step's
 * activations are kept with each key's step, so the batched backward pass does not recompute the
 * GRU and LSTM steps ({@link StepRing#activations}); the per-key pass recomputes them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=1000", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StepBenchmarks {

    /** Window length k1 = k2. */
    public static final int K = 32;
    public static final int INPUT = 16;
    public static final int OUTPUT = 4;

    @Param({"rnn", "gru", "lstm"})
    public String cell;

    @Param({"64", "256"})
    public int hidden;

    @Param({"1", "64"})
    public int batch;

    private ModelShape shape;
    private Parameters w;
    private Parameters grad;
    private Sgd sgd;
    /** K steps of inputs for every key: step t, key b at (t * batch + b) * I. */
    private double[] inputs;
    private double[] targets;
    private double[] stepInputs;
    private double[] states;
    private double[] predictions;
    private StepRing[] rings;
    private SequenceForward forward;
    private TbpttWindow window;
    private BatchForward batchForward;
    private BatchBackward batchBackward;
    private double[] lossSums;
    private int[] lossTerms;
    /** The activations of a batched forward step, key-major. */
    private double[] activations;

    @Setup(Level.Trial)
    public void setUp() {
        System.err.println("kernels: " + Kernels.implementation());
        shape = new ModelShape(CellKind.parse(cell), INPUT, hidden, OUTPUT);
        w = ParameterInit.uniform(shape, 42);
        grad = w.zerosLike();
        sgd = new Sgd(1e-4, 0);
        SplittableRandom random = new SplittableRandom(7);
        inputs = new double[K * batch * INPUT];
        targets = new double[K * batch * OUTPUT];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextDouble(-1, 1);
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextDouble(-1, 1);
        }
        stepInputs = new double[batch * INPUT];
        states = new double[batch * shape.stateSize()];
        predictions = new double[batch * OUTPUT];
        rings = new StepRing[batch];
        for (int b = 0; b < batch; b++) {
            rings[b] = StepRing.forShape(shape, K);
        }
        forward = new SequenceForward(shape);
        window = new TbpttWindow(shape, Loss.MSE);
        batchForward = new BatchForward(shape, batch);
        batchBackward = new BatchBackward(shape, Loss.MSE, batch);
        activations = new double[batch * batchForward.activationSize()];
        lossSums = new double[batch];
        lossTerms = new int[batch];
        // Fill the rings once, for backwardWindow.
        forwardWindow();
    }

    /** K forward steps of every key, each pushed to its ring with its target. */
    private void forwardWindow() {
        final int st = shape.stateSize();
        for (int t = 0; t < K; t++) {
            int xOff = t * batch * INPUT;
            int tOff = t * batch * OUTPUT;
            for (int b = 0; b < batch; b++) {
                rings[b].push(inputs, xOff + b * INPUT, states, b * st, targets, tOff + b * OUTPUT, 0, 0L);
            }
            System.arraycopy(inputs, xOff, stepInputs, 0, batch * INPUT);
            if (batch == 1) {
                forward.step(w, stepInputs, states, predictions);
            } else {
                batchForward.step(w, stepInputs, states, predictions, batch);
                keepActivations();
            }
        }
    }

    /** Each key's ring keeps the activations of its newest step, as ForwardStep's records carry them. */
    private void keepActivations() {
        int a = batchForward.activationSize();
        if (a == 0) {
            return;
        }
        batchForward.activations(activations, 0, a, batch);
        for (int b = 0; b < batch; b++) {
            rings[b].keepActivations(rings[b].slot(rings[b].size - 1), activations, b * a, a);
        }
    }

    private double backwardWindowOnce() {
        if (batch == 1) {
            return window.backward(rings[0], v -> w, grad).sum();
        }
        batchBackward.backward(rings, batch, v -> w, grad, lossSums, lossTerms);
        return lossSums[0];
    }

    /** One TBPTT window of training: K forward steps, the backward pass, one SGD step. */
    @Benchmark
    public double train() {
        forwardWindow();
        double loss = backwardWindowOnce();
        sgd.step(w, grad);
        grad.zero();
        return loss;
    }

    /** One forward step (with its prediction) of every key. */
    @Benchmark
    public void forwardStep(Blackhole hole) {
        if (batch == 1) {
            forward.step(w, inputs, states, predictions);
        } else {
            batchForward.step(w, inputs, states, predictions, batch);
        }
        hole.consume(predictions);
    }

    /** The backward pass of a full window (k2 = 32 steps, every loss counted) of every key. */
    @Benchmark
    public double backwardWindow() {
        for (StepRing ring : rings) {
            ring.pendingLoss = K;
        }
        double loss = backwardWindowOnce();
        grad.zero();
        return loss;
    }
}
