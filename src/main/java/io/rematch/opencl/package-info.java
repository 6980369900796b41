/**
 * The OpenCL runtime the kernels share, through Aparapi: which devices exist
 * ({@link io.rematch.opencl.OpenCl}, {@link io.rematch.opencl.OpenClDevice}), and a launch that
 * checks where a kernel really ran ({@link io.rematch.opencl.Launch}): Aparapi falls back to
 * its Java thread pool silently, and a fallback must never be reported, or timed, as the device.
 * The kernels themselves live beside the CPU code they accelerate ({@code model}, {@code loss}).
 */
package io.rematch.opencl;
