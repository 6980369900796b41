/**
 * Reading and writing NumPy {@code .npy} files, the exchange format of the RCL and L2RM Python
 * releases (similarity matrices, gradients, masks) and of the reference outputs that the
 * conformance tests compare against.
 *
 * <p>{@link io.rematch.io.Npy} reads format versions 1.0, 2.0 and 3.0 and writes version 1.0
 * files that are byte-identical to what {@code numpy.save} (1.24) writes for the same array.
 * {@link io.rematch.io.NpyArray} holds the decoded array as C-order {@code double} values.
 */
package io.rematch.io;
