package io.rematch.backend;

import io.rematch.loss.ScoreLoss;
import io.rematch.opencl.OpenCl;
import io.rematch.opencl.OpenClDevice;
import java.util.function.Consumer;

/**
 * Where the similarity matrices, the softmax losses and partial OT are computed: the CPU
 * ({@link CpuBackend}: plain Java, float64, BLAS for the products) or an OpenCL device
 * ({@link OpenClBackend}: Aparapi kernels, float32). Both compute the same math; the contract
 * tests state how closely they agree. Close it when done: the device's buffers are released.
 */
public sealed interface Backend extends AutoCloseable permits CpuBackend, OpenClBackend {

    /** Receives the block of rows {@code [from, from + rows)} of \(S\), row-major {@code rows x m}; the array is reused. */
    @FunctionalInterface
    interface BlockConsumer {
        void accept(int from, int rows, double[] block);
    }

    /**
     * The backend {@code choice} names: {@code cpu}; {@code opencl} (the first GPU, else the first
     * OpenCL device); {@code auto} (an OpenCL GPU if there is one, else the CPU; an OpenCL CPU
     * device such as PoCL is taken only when asked for).
     *
     * @param warnings where a device error's switch to the CPU is reported
     * @throws IllegalArgumentException naming {@code --backend} if {@code opencl} is asked for and
     *                                  no OpenCL device exists, with what was found
     */
    static Backend open(BackendChoice choice, Consumer<String> warnings) {
        switch (choice) {
            case CPU:
                return new CpuBackend();
            case AUTO: {
                OpenClDevice gpu = OpenCl.firstGpu();
                return gpu == null ? new CpuBackend() : new OpenClBackend(gpu, warnings);
            }
            case OPENCL:
            default: {
                check(choice);
                OpenClDevice gpu = OpenCl.firstGpu();
                return new OpenClBackend(gpu != null ? gpu : OpenCl.devices().get(0), warnings);
            }
        }
    }

    /**
     * Refuses {@code opencl} where there is no OpenCL device, before any work.
     *
     * @throws IllegalArgumentException naming {@code --backend}, with what was found
     */
    static void check(BackendChoice choice) {
        if (choice == BackendChoice.OPENCL && OpenCl.devices().isEmpty()) {
            throw new IllegalArgumentException("--backend opencl: no OpenCL device was found: " + OpenCl.problem()
                    + "; --backend cpu (or auto) runs on the CPU");
        }
    }

    /** {@code cpu} or {@code opencl}. */
    String name();

    /** What computes, in one line: {@code opencl: NVIDIA H100 80GB HBM3 (GPU, NVIDIA CUDA, ...), float32}. */
    String describe();

    /** \(S = X Y^T\) ({@code n x m}, row-major) of {@code x} ({@code n x d}) and {@code y} ({@code m x d}). */
    double[] similarities(double[] x, int n, double[] y, int m, int d);

    /** As {@link #similarities(double[], int, double[], int, int)} in float32 (the CPU's too). */
    float[] similarities(float[] x, int n, float[] y, int m, int d);

    /**
     * \(S = X Y^T\) in blocks of at most {@code maxRows} rows, in order, without holding all of
     * \(S\): the evaluation of a large test set.
     */
    void similarityBlocks(double[] x, int n, double[] y, int m, int d, int maxRows, BlockConsumer consumer);

    /**
     * {@code loss} evaluated on this backend: on an OpenCL device, a CCL over all negatives or
     * InfoNCE in stable mode, a triplet loss, or a rematch loss with fixed targets
     * ({@link io.rematch.loss.TargetedLoss#withTargets}) in stable mode runs its kernel; any other
     * loss runs on the CPU. Either way the evaluations are counted in {@link #report()}.
     */
    ScoreLoss loss(ScoreLoss loss);

    /**
     * {@code solver} run on this backend: on an OpenCL device, entropic partial OT on the marginals
     * rule and balanced Sinkhorn, each in both domains, and L2RM's masked partial OT in stable mode,
     * at tolerances float32 can meet ({@link io.rematch.ot.DevicePartialTransport#supports},
     * {@link io.rematch.ot.DeviceLogPartialTransport#supports},
     * {@link io.rematch.ot.DeviceSinkhorn#supports}, {@link io.rematch.ot.DeviceLogSinkhorn#supports},
     * {@link io.rematch.ot.DeviceMaskedPartialTransport#supports}), run their kernels; any other
     * solver runs on the CPU. Counted in {@link #report()}.
     */
    io.rematch.ot.TransportSolver transport(io.rematch.ot.TransportSolver solver);

    /** What {@link #trainOn} returns: closing it returns the steps to the CPU and frees the device's buffers. */
    interface Training extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@code model}'s batch steps ({@link io.rematch.model.TwoTower#scores},
     * {@link io.rematch.model.TwoTower#backward}, {@link io.rematch.model.Parameters#step}) here
     * until the returned handle is closed, which brings the model's state back to the host: on an
     * OpenCL device the towers' forward and backward products, the gradient clipping and Adam run in
     * float32, the weights and Adam's moments kept there between steps
     * ({@link io.rematch.model.DeviceTowers}), while the loss stays on the host; on the CPU (and
     * once a device has failed) nothing changes.
     */
    default Training trainOn(io.rematch.model.TwoTower model) {
        return () -> { };
    }

    /** Whether a device failure has handed this backend's work to the CPU (never, for the CPU). */
    default boolean failed() {
        return false;
    }

    /**
     * Where the work since a moment at which {@link #failed()} was {@code failedBefore} ran:
     * {@code cpu}; {@code opencl}; {@code opencl, then cpu} if the device failed meanwhile (its
     * work from then on is the CPU's); {@code cpu} again if it had failed before.
     */
    default String ranOn(boolean failedBefore) {
        return failedBefore ? "cpu" : failed() ? name() + ", then cpu" : name();
    }

    /** What ran where so far, e.g. {@code similarities 3 x opencl; ccl-log 10 x opencl, 1 x cpu (beyond float32)}. */
    String report();

    /** Releases the device's resources (nothing for the CPU). */
    @Override
    void close();
}
