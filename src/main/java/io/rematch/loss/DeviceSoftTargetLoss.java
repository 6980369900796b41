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
 * The host side of {@link SoftTargetKernel}: one of L2RM's rematch losses ({@link SoftTargetLoss}:
 * soft InfoNCE, KL, symmetric KL, Jensen-Shannon in either form) in stable mode, evaluated in
 * float32 on an OpenCL device. The targets are prepared on the host in float64, exactly as the CPU
 * prepares them ({@link SoftTargets}: the release's floor, normalisation, empty rows), then copied;
 * the scores are shifted by their largest entry first (the softmaxes do not change). The value and
 * gradient agree with the CPU's within float32 rounding ({@code DeviceSoftTargetLossContractTest}
 * states the tolerance). A result float32 cannot hold is reported with
 * {@link io.rematch.opencl.Float32Range}, and the backend evaluates on the CPU.
 */
public final class DeviceSoftTargetLoss implements TargetedLoss {

    private static final int GROUP = 64;

    private final SoftTargetLoss loss;
    private final OpenClDevice device;

    /**
     * @param loss   the loss to evaluate ({@link #supports} must hold)
     * @param device where
     */
    public DeviceSoftTargetLoss(TargetedLoss loss, OpenClDevice device) {
        if (!supports(Checks.present("loss", loss))) {
            throw new IllegalArgumentException("the OpenCL kernel evaluates the rematch losses in stable mode, not "
                    + loss.name() + (loss instanceof SoftTargetLoss t ? " in " + t.mode() + " mode" : ""));
        }
        this.loss = (SoftTargetLoss) loss;
        this.device = Checks.present("device", device);
    }

    /** Whether the kernel evaluates {@code loss}: a rematch loss ({@link SoftTargetLoss}) in stable mode. */
    public static boolean supports(TargetedLoss loss) {
        return loss instanceof SoftTargetLoss t && t.mode() == Mode.STABLE;
    }

    static int kind(SoftTargetLoss loss) {
        if (loss instanceof SoftContrastiveLoss) {
            return SoftTargetKernel.SOFT_INFONCE;
        }
        if (loss instanceof KlDivergenceLoss) {
            return SoftTargetKernel.KL;
        }
        if (loss instanceof SymmetricKlDivergenceLoss) {
            return SoftTargetKernel.SYM_KL;
        }
        JensenShannonLoss js = (JensenShannonLoss) loss;
        return js.form() == JensenShannonLoss.Form.MIXTURE_FIRST ? SoftTargetKernel.JS_MIXTURE_FIRST
                : SoftTargetKernel.JS_TEXTBOOK;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, DMatrixRMaj targets, LossWorkspace workspace) {
        Checks.present("scores", scores);
        Checks.finite("scores", scores);
        if (targets == null) {
            throw new IllegalArgumentException("targets is missing");
        }
        if (targets.numRows != scores.numRows || targets.numCols != scores.numCols) {
            throw new IllegalArgumentException("targets must be " + scores.numRows + " x " + scores.numCols
                    + " like scores, got " + targets.numRows + " x " + targets.numCols);
        }
        SoftTargets t = SoftTargets.of(targets, loss.emptyRows());
        int n = scores.numRows;
        int m = scores.numCols;
        long entries = (long) n * m;
        Launch.requireMemory(device, 4L * entries, 4L * (6 * entries + 6L * (n + m)),
                "the " + name() + " loss of a " + n + " x " + m + " batch");
        try (KernelPool.Lease<SoftTargetKernel> lease = KernelPool.lease(device, SoftTargetKernel.class, SoftTargetKernel::new)) {
            SoftTargetKernel k = lease.kernel();
            k.n = n;
            k.m = m;
            k.kind = kind(loss);
            k.invTau = (float) (1.0 / loss.tau());
            k.rowScale = (float) (1.0 / (n * loss.tau()));
            k.colScale = (float) (1.0 / (m * loss.tau()));
            double top = io.rematch.opencl.HostArrays.max(scores.data, n * m);
            k.s = new float[n * m];
            io.rematch.opencl.HostArrays.narrow(scores.data, top, k.s, n * m);
            k.rowTarget = Launch.toFloat(t.rowTarget);
            k.rowLog = Launch.toFloat(t.rowLog);
            k.colTarget = Launch.toFloat(t.colTarget);
            k.colLog = Launch.toFloat(t.colLog);
            k.rowTargetSum = Launch.toFloat(t.rowTargetSum);
            k.colTargetSum = Launch.toFloat(t.colTargetSum);
            k.rowMax = new float[n];
            k.rowLogNorm = new float[n];
            k.colMax = new float[m];
            k.colLogNorm = new float[m];
            k.g = new float[n * m];
            k.rowLoss = new float[n];
            k.colLoss = new float[m];
            for (float[] buf : new float[][] {k.s, k.rowTarget, k.rowLog, k.colTarget, k.colLog, k.rowTargetSum,
                    k.colTargetSum}) {
                Launch.put(k, buf, device, "the rematch loss kernel's inputs");
            }
            k.pass = SoftTargetKernel.STATISTICS;
            Launch.run(k, Range.create(device.aparapi(), Launch.padded(n + m, GROUP), GROUP), device,
                    "the " + name() + " kernel's statistics pass");
            k.pass = SoftTargetKernel.ROWS;
            Launch.run(k, Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP), device,
                    "the " + name() + " kernel's row pass");
            k.pass = SoftTargetKernel.COLUMNS;
            Launch.run(k, Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP), device,
                    "the " + name() + " kernel's column pass");
            Launch.get(k, k.g, device, "the rematch loss kernel's gradient");
            Launch.get(k, k.rowLoss, device, "the rematch loss kernel's row terms");
            Launch.get(k, k.colLoss, device, "the rematch loss kernel's column terms");
            double rows = 0;
            for (float v : k.rowLoss) {
                rows += v;
            }
            double cols = 0;
            for (float v : k.colLoss) {
                cols += v;
            }
            double value = rows / n + cols / m;
            DMatrixRMaj gradient = Checks.present("workspace", workspace).gradient(n, m);
            io.rematch.opencl.HostArrays.widen(k.g, gradient.data, n * m);
            int bad = io.rematch.opencl.HostArrays.nonFinite(k.g, n * m);
            if (bad > 0 || !Double.isFinite(value)) {
                throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "the %s loss at tau = %s is beyond"
                        + " float32 on the device (%d of %d gradient entries not finite)", name(), loss.tau(), bad, n * m));
            }
            return new LossValue(value, gradient);
        }
    }

    @Override
    public String name() {
        return loss.name();
    }
}
