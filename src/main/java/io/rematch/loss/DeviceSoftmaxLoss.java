package io.rematch.loss;

import com.aparapi.Range;
import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.opencl.KernelPool;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * The host side of {@link TwoWaySoftmaxKernel}: a {@link ComplementaryContrastiveLoss} over
 * all negatives, or InfoNCE ({@link ContrastiveLoss}), in stable mode, evaluated in float32 on an
 * OpenCL device. The same value and gradient as the CPU's float64 losses within float32 rounding
 * ({@code DeviceSoftmaxLossContractTest} states the tolerance).
 *
 * <p>Where float32 cannot represent the result (a saturated row whose \(1 - p\) underflows, so
 * the log bound's \(p/(1-p)\) overflows) the value is not returned: {@link #evaluate} throws
 * {@link io.rematch.opencl.Float32Range} and the caller evaluates on the CPU, whose log-domain path
 * ({@link SaturatedSoftmax}) handles it.
 */
public final class DeviceSoftmaxLoss implements ScoreLoss {

    private static final int GROUP = 64;

    private final ScoreLoss loss;
    private final OpenClDevice device;

    /**
     * @param loss   the loss to evaluate (see {@link #supports})
     * @param device where
     * @throws IllegalArgumentException if the kernel does not evaluate {@code loss}
     */
    public DeviceSoftmaxLoss(ScoreLoss loss, OpenClDevice device) {
        if (!supports(Checks.present("loss", loss))) {
            throw new IllegalArgumentException("the OpenCL kernel evaluates CCL over all negatives and InfoNCE, in"
                    + " stable mode, not " + loss.name() + (loss instanceof ComplementaryContrastiveLoss c ? " with "
                    + c.negatives() + " negatives in " + c.mode() + " mode" : ""));
        }
        this.loss = loss;
        this.device = Checks.present("device", device);
    }

    /** Whether the kernel evaluates {@code loss}: a CCL over all negatives, or InfoNCE, in stable mode. */
    public static boolean supports(ScoreLoss loss) {
        if (loss instanceof ContrastiveLoss c) {
            return c.mode() == Mode.STABLE;
        }
        return loss instanceof ComplementaryContrastiveLoss c && c.mode() == Mode.STABLE
                && "all".equals(c.negatives().toString());
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.square("scores", scores);
        Checks.finite("scores", scores);
        int n = scores.numRows;
        long bytes = 4L * (2L * n * n + 10L * n);
        Launch.requireMemory(device, 4L * n * n, bytes, "the " + name() + " loss of a " + n + " x " + n + " batch");
        try (KernelPool.Lease<TwoWaySoftmaxKernel> lease = KernelPool.lease(device, TwoWaySoftmaxKernel.class, TwoWaySoftmaxKernel::new)) {
            TwoWaySoftmaxKernel k = lease.kernel();
            k.n = n;
            // both softmaxes are unchanged by a constant shift: subtract the largest score in float64 so
            // that float32 keeps the differences' digits (S and S + 1000 give the same loss)
            double top = io.rematch.opencl.HostArrays.max(scores.data, n * n);
            k.s = new float[n * n];
            io.rematch.opencl.HostArrays.narrow(scores.data, top, k.s, n * n);
            k.g = new float[n * n];
            k.rowMax = new float[n];
            k.rowNorm = new float[n];
            k.rowRest = new float[n];
            k.rowArg = new int[n];
            k.colMax = new float[n];
            k.colNorm = new float[n];
            k.colRest = new float[n];
            k.colArg = new int[n];
            k.rowLoss = new float[n];
            k.colLoss = new float[n];
            boolean ccl = loss instanceof ComplementaryContrastiveLoss;
            double tau = ccl ? ((ComplementaryContrastiveLoss) loss).tau() : ((ContrastiveLoss) loss).tau();
            if (ccl) {
                ComplementaryBound b = ((ComplementaryContrastiveLoss) loss).bound();
                k.bound = b.kind().ordinal();
                k.q = (float) b.q();
            }
            k.invTau = (float) (1.0 / tau);
            k.scale = (float) (1.0 / (n * tau));
            Launch.put(k, k.s, device, "the CCL kernel's scores");
            k.pass = TwoWaySoftmaxKernel.STATISTICS;
            Launch.run(k, Range.create(device.aparapi(), Launch.padded(2 * n, GROUP), GROUP), device,
                    "the " + name() + " kernel's statistics pass");
            if (ccl) {
                k.pass = TwoWaySoftmaxKernel.ROWS;
                Launch.run(k, Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP), device,
                        "the CCL kernel's row pass");
                k.pass = TwoWaySoftmaxKernel.COLUMNS;
                Launch.run(k, Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP), device,
                        "the CCL kernel's column pass");
            } else {
                k.pass = TwoWaySoftmaxKernel.CONTRASTIVE;
                Launch.run(k, Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP), device,
                        "the InfoNCE kernel's pass");
            }
            Launch.get(k, k.g, device, "the CCL kernel's gradient");
            Launch.get(k, k.rowLoss, device, "the CCL kernel's row losses");
            Launch.get(k, k.colLoss, device, "the CCL kernel's column losses");
            double value = 0;
            for (int t = 0; t < n; t++) {
                value += (double) k.rowLoss[t] + k.colLoss[t];
            }
            value /= n;     // InfoNCE leaves colLoss at 0: its row terms hold both directions
            DMatrixRMaj gradient = Checks.present("workspace", workspace).gradient(n, n);
            io.rematch.opencl.HostArrays.widen(k.g, gradient.data, n * n);
            int bad = io.rematch.opencl.HostArrays.nonFinite(k.g, n * n);
            if (bad > 0 || !Double.isFinite(value)) {
                throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "the %s loss at tau = %s is beyond float32 on"
                        + " the device (%d of %d gradient entries not finite)", name(), tau, bad, n * n));
            }
            return new LossValue(value, gradient);
        }
    }

    @Override
    public String name() {
        return loss.name();
    }

    /** The loss the kernel evaluates. */
    public ScoreLoss loss() {
        return loss;
    }
}
