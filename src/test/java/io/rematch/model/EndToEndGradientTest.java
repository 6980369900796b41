package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Losses;
import io.rematch.loss.ScoreLoss;
import io.rematch.loss.TargetedLoss;
import io.rematch.numeric.RestorableRandom;
import io.rematch.testing.TestMatrices;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * The whole backward pass against finite differences: inputs -> both towers (linear and MLP,
 * ReLU, L2 normalisation) -> cosine scores -> every loss of the library, with respect to every
 * weight and bias.
 */
class EndToEndGradientTest {

    /** Through 3 layers and a normalisation the finite differences lose about one digit more. */
    static final double RELATIVE = 1e-6;
    static final double ABSOLUTE = 1e-9;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String loss : Losses.NAMES) {
            b.add(Arguments.of(loss, "mlp"));
        }
        b.add(Arguments.of("ccl-log", "linear"));
        b.add(Arguments.of("infonce", "linear"));
        return b.build();
    }

    @ParameterizedTest(name = "{0} through {1} towers")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(String lossName, String kind) {
        long seed = 20261202L + lossName.hashCode();
        System.out.println("seed " + seed);
        int batch = 6;
        EncoderSpec spec = kind.equals("mlp") ? new EncoderSpec("mlp", new int[] {7}, 4) : new EncoderSpec("linear", null, 4);
        TwoTower model = new TwoTower(5, 3, spec, new RestorableRandom(seed));
        RestorableRandom r = new RestorableRandom(seed + 1);
        double[] x = new double[batch * 5];
        double[] y = new double[batch * 3];
        for (int k = 0; k < x.length; k++) {
            x[k] = r.nextGaussian();
        }
        for (int k = 0; k < y.length; k++) {
            y[k] = r.nextGaussian();
        }
        // Biases start at 0; move them so their gradients are exercised away from the init.
        double[] values = model.parameters().values();
        for (int k = 0; k < values.length; k++) {
            values[k] += 0.1 * r.nextGaussian();
        }
        Losses.Settings settings = Losses.Settings.defaults().withTau(0.5);
        DMatrixRMaj targets = new DMatrixRMaj(batch, batch);
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < batch; j++) {
                targets.data[i * batch + j] = i == j ? 0 : r.nextDouble() / (batch * batch);
            }
        }
        ToDoubleFunction<DMatrixRMaj> lossOf;
        java.util.function.Function<DMatrixRMaj, LossValue> evaluate;
        if (Losses.needsTargets(lossName)) {
            TargetedLoss loss = Losses.createTargeted(lossName, settings);
            evaluate = s -> loss.evaluate(s, targets, new LossWorkspace());
        } else {
            ScoreLoss loss = Losses.create(lossName, settings);
            // nl draws a random negative per call: replay the same draw for every probe
            long state = Losses.randomNegatives(loss).map(n -> n.state()).orElse(0L);
            evaluate = s -> {
                Losses.randomNegatives(loss).ifPresent(n -> n.restore(state));
                return loss.evaluate(s, new LossWorkspace());
            };
        }
        double[] scores = new double[batch * batch];
        io.rematch.data.Features fx = io.rematch.data.Features.ofDoubles(batch, 5, x);
        io.rematch.data.Features fy = io.rematch.data.Features.ofDoubles(batch, 3, y);
        int[] rows = {0, 1, 2, 3, 4, 5};
        lossOf = theta -> {
            model.parameters().valuesChanged();
            model.scores(fx, rows, batch, fy, rows, batch, scores);
            return evaluate.apply(DMatrixRMaj.wrap(batch, batch, scores)).value();
        };

        model.parameters().valuesChanged();
        model.scores(fx, rows, batch, fy, rows, batch, scores);
        LossValue v = evaluate.apply(DMatrixRMaj.wrap(batch, batch, scores.clone()));
        model.parameters().zeroGradients();
        model.backward(v.gradient().data.clone());
        DMatrixRMaj analytic = DMatrixRMaj.wrap(1, values.length, model.parameters().gradients().clone());

        DMatrixRMaj theta = DMatrixRMaj.wrap(1, values.length, values); // shares the model's values
        DMatrixRMaj numeric = TestMatrices.richardsonGradient(lossOf, theta, 1e-4);
        assertTrue(TestMatrices.maxAbs(analytic) > 1e-6, "the gradient must not vanish for " + lossName);
        assertNull(TestMatrices.gradientMismatch(analytic, numeric, RELATIVE, ABSOLUTE),
                lossName + " through " + kind + " towers (seed " + seed + ")");
    }
}
