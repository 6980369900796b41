import com.aparapi.Kernel;
import com.aparapi.Range;
import io.rematch.backend.Backend;
import io.rematch.backend.BackendChoice;
import io.rematch.data.Features;
import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.ScoreLoss;
import io.rematch.model.EncoderSpec;
import io.rematch.model.Precision;
import io.rematch.model.TwoTower;
import io.rematch.numeric.RestorableRandom;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenCl;
import io.rematch.opencl.OpenClDevice;
import io.rematch.optim.Adam;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Where a device training step's time goes, for docs/gpu.md (a diagnostic, not project code;
 * bin/gpu-prepare compiles it into .device/prof): the host-device copies of a parameter-sized buffer
 * (the Flickr30K-sized towers' 3,410,432 weights; medians of 20), the latency of a launch (of a
 * kernel over that buffer, median of 20, and over 256 items, median of 200), and a training step of
 * those towers split into its parts, each the median of 30 steps (the step's total also holds the
 * zeroing of the gradients, which no part does). The weights, gradients and Adam's moments stay on
 * the device: the parameter-sized copies are what a step no longer makes.
 *
 * usage: java --add-modules jdk.incubator.vector -cp .device/prof:.device/lib/* StepParts [BATCH[,BATCH...]]
 *        (default 128,512)
 */
public class StepParts {
    static final class Touch extends Kernel {
        float[] a;
        int n;
        @Override public void run() { int i = getGlobalId(); if (i < n) { a[i] += 1f; } }
    }

    static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }

    static String med(double[] t) { double[] s = t.clone(); Arrays.sort(s); return String.format("%.2f ms (min %.2f)", s[s.length / 2], s[0]); }

    public static void main(String[] args) throws Exception {
        OpenClDevice dev = OpenCl.devices().get(0);
        System.out.println("device: " + dev.describe());
        // transfers and launches on a trivial kernel
        int size = 3_410_432;
        Touch k = Launch.prepare(new Touch(), dev);
        k.a = new float[size]; k.n = size;
        Range r = Range.create(dev.aparapi(), Launch.padded(size, 256), 256);
        Launch.put(k, k.a, dev, "a"); Launch.run(k, r, dev, "touch"); Launch.get(k, k.a, dev, "a");
        int reps = 20;
        double[] put = new double[reps], get = new double[reps], launch = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime(); Launch.put(k, k.a, dev, "a"); put[i] = ms(t0);
            t0 = System.nanoTime(); Launch.run(k, r, dev, "touch"); launch[i] = ms(t0);
            t0 = System.nanoTime(); Launch.get(k, k.a, dev, "a"); get[i] = ms(t0);
        }
        System.out.printf("put %d floats (%.1f MB): %s%n", size, size * 4e-6, med(put));
        System.out.printf("get %d floats: %s%n", size, med(get));
        System.out.printf("launch over %d items: %s%n", size, med(launch));
        k.n = 256;
        Range small = Range.create(dev.aparapi(), 256, 256);
        double[] tiny = new double[200];
        for (int i = 0; i < tiny.length; i++) { long t0 = System.nanoTime(); Launch.run(k, small, dev, "touch"); tiny[i] = ms(t0); }
        System.out.printf("launch over 256 items: %s%n", med(tiny));
        k.dispose();

        int[] batches = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {128, 512};
        for (int n : batches) {
            TwoTower model = new TwoTower(2048, 768, new EncoderSpec("mlp", new int[] {1024}, 256), Precision.FLOAT32,
                    new RestorableRandom(20261204L));
            SplittableRandom random = new SplittableRandom(1);
            float[] xi = new float[n * 2048], xt = new float[n * 768];
            for (int i = 0; i < xi.length; i++) xi[i] = (float) random.nextDouble(-0.03, 0.03);
            for (int i = 0; i < xt.length; i++) xt[i] = (float) random.nextDouble(-0.05, 0.05);
            Features images = Features.ofFloats(n, 2048, xi), captions = Features.ofFloats(n, 768, xt);
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) rows[i] = i;
            double[] scores = new double[n * n];
            ScoreLoss loss = ComplementaryContrastiveLoss.rclDefault();
            Adam adam = new Adam(model.parameters().size(), Adam.Settings.withLearningRate(2e-4));
            try (Backend b = Backend.open(BackendChoice.parse("--backend", "opencl"), System.err::println);
                 AutoCloseable on = b.trainOn(model)) {
                int steps = 30;
                double[] fw = new double[steps], ls = new double[steps], bw = new double[steps], st = new double[steps], all = new double[steps];
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    model.parameters().zeroGradients();
                    long t1 = System.nanoTime();
                    model.scores(images, rows, n, captions, rows, n, scores);
                    fw[s] = ms(t1);
                    t1 = System.nanoTime();
                    double[] g = loss.evaluate(DMatrixRMaj.wrap(n, n, scores)).gradient().data;
                    ls[s] = ms(t1);
                    t1 = System.nanoTime();
                    model.backward(g);
                    bw[s] = ms(t1);
                    t1 = System.nanoTime();
                    model.parameters().step(adam, 2.0);
                    st[s] = ms(t1);
                    all[s] = ms(t0);
                }
                System.out.printf("batch %d: step %s = scores (rows up, forward, S down) %s + loss %s + backward (G up, passes) %s + clip and Adam (on the device) %s; %s%n",
                        n, med(all), med(fw), med(ls), med(bw), med(st), b.report());
            }
        }
    }
}
