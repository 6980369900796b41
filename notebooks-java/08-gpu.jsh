// Notebook 8: the GPU. Which backend runs, one kernel against the CPU, and the agreement check
// that every kernel has to pass (docs/gpu.md). Without any OpenCL device the notebook says why
// and shows the CPU side only; with PoCL (apt-get install pocl-opencl-icd ocl-icd-libopencl1,
// the OpenCL driver for CPUs that CI uses) or a GPU driver, the kernels run for real.
// Run from the project root:  bin/notebook 08
import io.rematch.backend.*;
import io.rematch.data.Features;
import io.rematch.loss.*;
import io.rematch.model.*;
import io.rematch.numeric.*;
import io.rematch.opencl.*;
import org.ejml.data.DMatrixRMaj;
import java.util.*;

// Every numeric claim below is checked: a broken equation stops with an AssertionError.
void check(boolean ok, String claim) {
    if (!ok) throw new AssertionError("claim failed: " + claim);
    System.out.println("  [ok] " + claim);
}
void printf(String format, Object... args) {
    System.out.print(String.format(Locale.ROOT, format, args));
}

// --- 1. Which devices, which backend ------------------------------------------------------
// `auto` (every command's default) takes an OpenCL GPU if there is one and the CPU otherwise;
// an OpenCL CPU device such as PoCL is taken only when asked for (`opencl`): on the same cores
// it is slower than the plain-Java path. Kernels compute in float32, the CPU in float64.
System.out.println(OpenCl.listing());
boolean haveDevice = !OpenCl.devices().isEmpty();
List<String> warnings = new ArrayList<>();
Backend auto = Backend.open(BackendChoice.AUTO, warnings::add);
System.out.println("--backend auto -> " + auto.describe());
check((auto instanceof CpuBackend) == (OpenCl.firstGpu() == null), "auto is the CPU exactly when there is no OpenCL GPU");
if (!haveDevice) System.out.println("no OpenCL device (" + OpenCl.problem() + "): the device parts below are skipped");
Backend device = haveDevice ? Backend.open(BackendChoice.OPENCL, warnings::add) : null;
if (device != null) System.out.println("--backend opencl -> " + device.describe());

// --- 2. One kernel: S = X Y^T ----------------------------------------------------------------
// The similarity matrix of 300 image and 200 caption embeddings in 256 dimensions, on both
// backends from the same float32 inputs. A float32 dot product of length d has the classical
// error bound |s' - s| <= gamma_d sum_k |x_k y_k|, gamma_d = d u / (1 - d u), u = 2^-24: the
// device's result must be inside it, entry by entry (what SimilarityKernelContractTest checks).
int n = 300, m = 200, d = 256;
SplittableRandom rng = new SplittableRandom(8);
float[] x = new float[n * d];
float[] y = new float[m * d];
for (int k = 0; k < x.length; k++) x[k] = (float) rng.nextGaussian();
for (int k = 0; k < y.length; k++) y[k] = (float) rng.nextGaussian();
double[] exact = new double[n * m];
double[] scale = new double[n * m];
for (int i = 0; i < n; i++) {
    for (int j = 0; j < m; j++) {
        double s = 0, a = 0;
        for (int k = 0; k < d; k++) {
            double t = (double) x[i * d + k] * y[j * d + k];
            s += t;
            a += Math.abs(t);
        }
        exact[i * m + j] = s;
        scale[i * m + j] = a;
    }
}
double u = Math.ulp(1.0f) / 2;
double gamma = d * u / (1 - d * u);
// the largest error as a fraction of the bound it may use; <= 1 passes
double worstCpu = 0;
float[] onCpu = auto instanceof CpuBackend ? auto.similarities(x, n, y, m, d) : new CpuBackend().similarities(x, n, y, m, d);
for (int e = 0; e < n * m; e++) {
    worstCpu = Math.max(worstCpu, Math.abs(onCpu[e] - exact[e]) / (gamma * scale[e] + Math.ulp((float) exact[e])));
}
printf("CPU float32 product: largest error %.3f of the bound%n", worstCpu);
check(worstCpu <= 1, "the CPU's float32 product is within the float32 dot-product bound");
if (device != null) {
    long t0 = System.nanoTime();
    float[] onDevice = device.similarities(x, n, y, m, d);
    double ms = (System.nanoTime() - t0) * 1e-6;
    double worst = 0;
    for (int e = 0; e < n * m; e++) {
        worst = Math.max(worst, Math.abs(onDevice[e] - exact[e]) / (gamma * scale[e] + Math.ulp((float) exact[e])));
    }
    printf("device product: largest error %.3f of the bound (%.1f ms with the kernel's first build)%n", worst, ms);
    check(worst <= 1, "the device's product is within the float32 dot-product bound");
    check(device.report().contains("similarities 1 x opencl"), "and it really ran on the device: " + device.report());
}

// --- 3. A loss on the device: CCL-log and its gradient -----------------------------------------
// Backend.loss wraps a loss: one that has a kernel runs there (CCL over all negatives, InfoNCE,
// the triplet and rematch losses, stable mode), any other on the CPU, and the report counts it.
DMatrixRMaj scores = new DMatrixRMaj(64, 64);
for (int i = 0; i < 64; i++) {
    for (int j = 0; j < 64; j++) scores.set(i, j, (i == j ? 0.5 : 0.1) + 0.1 * rng.nextGaussian());
}
LossValue cpuLoss = ComplementaryContrastiveLoss.rclDefault().evaluate(scores);
if (device != null) {
    LossValue devLoss = device.loss(ComplementaryContrastiveLoss.rclDefault()).evaluate(scores);
    double largest = 0, diff = 0;
    for (int e = 0; e < 64 * 64; e++) {
        largest = Math.max(largest, Math.abs(cpuLoss.gradient().data[e]));
        diff = Math.max(diff, Math.abs(cpuLoss.gradient().data[e] - devLoss.gradient().data[e]));
    }
    printf("ccl-log: CPU %.9f, device %.9f; gradients within %.1e of the largest entry%n", cpuLoss.value(),
            devLoss.value(), diff / largest);
    // docs/gpu.md's tolerance for the softmax losses: 10 (1/tau + N) u relative, here 1.0e-4
    double allowed = 10 * (1 / 0.05 + 64) * u;
    check(Math.abs(devLoss.value() - cpuLoss.value()) <= allowed * cpuLoss.value(), "the loss within 10 (1/tau + N) u");
    check(diff <= allowed * largest, "the gradient within the same, relative to its largest entry");
}

// --- 4. A training step on the device -------------------------------------------------------------
// Backend.trainOn(model) moves the towers' forward and backward products of every batch step, and
// the clipping and Adam, to the device (float32); the loss stays on the host. Two models from the same seed, one
// step each, the gradients compared (DeviceTowersContractTest holds them to 1e-5 of the largest).
EncoderSpec spec = new EncoderSpec("mlp", new int[] {64}, 32);
TwoTower onHost = new TwoTower(48, 40, spec, Precision.FLOAT64, new RestorableRandom(1));
TwoTower onDev = new TwoTower(48, 40, spec, Precision.FLOAT64, new RestorableRandom(1));
int b = 32;
float[] fv = new float[b * 48];
float[] ft = new float[b * 40];
for (int k = 0; k < fv.length; k++) fv[k] = (float) rng.nextGaussian();
for (int k = 0; k < ft.length; k++) ft[k] = (float) rng.nextGaussian();
int[] rows = new int[b];
for (int i = 0; i < b; i++) rows[i] = i;
double[] step(TwoTower model) {
    double[] s = new double[b * b];
    model.scores(Features.ofFloats(b, 48, fv), rows, b, Features.ofFloats(b, 40, ft), rows, b, s);
    model.parameters().zeroGradients();
    model.backward(ComplementaryContrastiveLoss.rclDefault().evaluate(DMatrixRMaj.wrap(b, b, s)).gradient().data);
    return model.parameters().gradients().clone();
}
double[] gHost = step(onHost);
if (device != null) {
    double[] gDev;
    try (Backend.Training training = device.trainOn(onDev)) {
        check(onDev.stepsOnDevice(), "the model's steps are on the device");
        gDev = step(onDev);
    }
    double largest = 0, diff = 0;
    for (int k = 0; k < gHost.length; k++) {
        largest = Math.max(largest, Math.abs(gHost[k]));
        diff = Math.max(diff, Math.abs(gHost[k] - gDev[k]));
    }
    printf("one training step: gradients within %.1e of the largest (%d parameters)%n", diff / largest, gHost.length);
    check(diff <= 1e-5 * largest && diff > 0, "float32 on the device, within 1e-5 of the float64 step (and not identical)");
    System.out.println("what ran where: " + device.report());
    device.close();
}
auto.close();
check(warnings.isEmpty(), "no device failure was warned about");
/exit
