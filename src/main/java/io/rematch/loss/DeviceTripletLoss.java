package io.rematch.loss;

import com.aparapi.Range;
import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.opencl.KernelPool;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import org.ejml.data.DMatrixRMaj;

/**
 * The host side of {@link TripletKernel}: a {@link TripletRankingLoss} (TR, TR-HN or the mean form)
 * evaluated on an OpenCL device. The hinge costs are float32; the gradient is assembled in
 * float64 from the kernel's exact counts (or, for the hardest negative, its indices), the same
 * way the CPU sums its weights, so it equals the CPU's bit for bit except where float32 rounding
 * moves a cost across 0 (a cost within about \(10^{-7}\) of the scores' scale of 0).
 * {@code DeviceTripletLossContractTest} states the tolerance. Scores spanning more than float32
 * holds are refused with {@link io.rematch.opencl.Float32Range} (the backend then uses the CPU).
 */
public final class DeviceTripletLoss implements ScoreLoss {

    private static final int GROUP = 64;

    private final TripletRankingLoss loss;
    private final OpenClDevice device;

    /**
     * @param loss   the loss to evaluate
     * @param device where
     */
    public DeviceTripletLoss(TripletRankingLoss loss, OpenClDevice device) {
        this.loss = Checks.present("loss", loss);
        this.device = Checks.present("device", device);
    }

    /** Whether the kernel evaluates {@code loss}: every {@link TripletRankingLoss}. */
    public static boolean supports(ScoreLoss loss) {
        return loss instanceof TripletRankingLoss;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.squareFinite("scores", scores);
        int n = scores.numRows;
        boolean hardest = loss.aggregation() == TripletRankingLoss.Aggregation.HARDEST;
        long matrices = hardest ? 1 : 2;
        Launch.requireMemory(device, 4L * n * n, 4L * (matrices * n * n + 4L * n),
                "the " + name() + " loss of a " + n + " x " + n + " batch");
        try (KernelPool.Lease<TripletKernel> lease = KernelPool.lease(device, TripletKernel.class, TripletKernel::new)) {
            TripletKernel k = lease.kernel();
            k.n = n;
            k.hardest = hardest ? 1 : 0;
            k.margin = (float) loss.margin();
            // the costs are differences of scores: shift by the largest in float64 so that float32
            // keeps their digits (S and S + 1000 give the same loss)
            double top = Double.NEGATIVE_INFINITY;
            double bottom = Double.POSITIVE_INFINITY;
            for (int t = 0; t < n * n; t++) {
                top = Math.max(top, scores.data[t]);
                bottom = Math.min(bottom, scores.data[t]);
            }
            if (!(top - bottom + loss.margin() < 1e30)) {
                throw new io.rematch.opencl.Float32Range(String.format(java.util.Locale.ROOT, "the %s loss: scores"
                        + " spanning %.3g leave float32 on the device", name(), top - bottom));
            }
            k.s = new float[n * n];
            io.rematch.opencl.HostArrays.narrow(scores.data, top, k.s, n * n);
            k.g = new float[hardest ? 1 : n * n];
            k.rowLoss = new float[n];
            k.colLoss = new float[n];
            k.rowArg = new int[n];
            k.colArg = new int[n];
            Launch.put(k, k.s, device, "the triplet kernel's scores");
            k.pass = TripletKernel.HINGES;
            Launch.run(k, Range.create(device.aparapi(), Launch.padded(2 * n, GROUP), GROUP), device,
                    "the " + name() + " kernel's hinge pass");
            if (!hardest) {
                k.pass = TripletKernel.ACTIVE;
                Launch.run(k, Range.create(device.aparapi(), Launch.padded(n * n, GROUP), GROUP), device,
                        "the " + name() + " kernel's gradient pass");
                Launch.get(k, k.g, device, "the triplet kernel's active hinges");
            }
            Launch.get(k, k.rowLoss, device, "the triplet kernel's row costs");
            Launch.get(k, k.colLoss, device, "the triplet kernel's column costs");
            Launch.get(k, k.rowArg, device, "the triplet kernel's row counts");
            Launch.get(k, k.colArg, device, "the triplet kernel's column counts");
            double weight = loss.aggregation() == TripletRankingLoss.Aggregation.MEAN ? 1.0 / n : 1.0;
            double value = 0;
            for (int t = 0; t < n; t++) {
                value += (double) k.rowLoss[t] + k.colLoss[t];
            }
            value *= weight;
            DMatrixRMaj gradient = Checks.present("workspace", workspace).gradient(n, n);
            double[] g = gradient.data;
            if (hardest) {
                java.util.Arrays.fill(g, 0, n * n, 0);
                for (int q = 0; q < n; q++) {
                    if (k.rowArg[q] >= 0) {        // image q's hardest text
                        g[q * n + k.rowArg[q]] += 1;
                        g[q * n + q] -= 1;
                    }
                }
                for (int q = 0; q < n; q++) {
                    if (k.colArg[q] >= 0) {        // text q's hardest image
                        g[k.colArg[q] * n + q] += 1;
                        g[q * n + q] -= 1;
                    }
                }
            } else {
                for (int t = 0; t < n * n; t++) {
                    g[t] = weight * k.g[t];      // 0, w or 2w: exact
                }
                for (int q = 0; q < n; q++) {
                    // minus w once per active hinge, as the CPU subtracts it: the same bits
                    double d = 0;
                    for (int c = (int) -k.g[q * n + q]; c > 0; c--) {
                        d -= weight;
                    }
                    g[q * n + q] = d;
                }
            }
            return LossValue.checked(value, gradient, Mode.STABLE, name(), "margin = " + loss.margin(),
                    "its hinge terms sum beyond the double range");
        }
    }

    @Override
    public String name() {
        return loss.name();
    }

    /** The loss the kernel evaluates. */
    public TripletRankingLoss loss() {
        return loss;
    }
}
