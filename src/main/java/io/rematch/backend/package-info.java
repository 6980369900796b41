/**
 * Where the heavy operations run: a {@link io.rematch.backend.Backend} is the CPU (plain Java,
 * float64) or an OpenCL device (Aparapi kernels, float32), chosen with
 * {@link io.rematch.backend.BackendChoice} ({@code --backend auto|cpu|opencl}). The operations are
 * the similarity matrices ({@code model}'s {@code SimilarityKernel}), the loss and gradient of CCL
 * and InfoNCE ({@code loss}'s {@code TwoWaySoftmaxKernel}) and entropic partial OT ({@code ot}'s
 * {@code EntropicPartialKernel}); everything else runs on the CPU. A device
 * error switches the rest of the work to the CPU with a warning, and {@link
 * io.rematch.backend.Backend#report()} says what ran where.
 */
package io.rematch.backend;
