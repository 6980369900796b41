/**
 * L2RM's rematching machinery besides the transport solvers (Han et al., "Learning to Rematch
 * Mismatched Pairs for Robust Cross-Modal Retrieval", CVPR 2024): the learnable cost function
 * ({@link io.rematch.rematch.RowLinearCost} as released, {@link io.rematch.rematch.MonotoneElementwiseCost}
 * permutation-equivariant) and its self-supervised key-point training
 * ({@link io.rematch.rematch.KeyPoints}, {@link io.rematch.rematch.KeyPointTraining}). The
 * rematch losses live in {@code io.rematch.loss}, the clean/noisy split in {@code io.rematch.split}.
 */
package io.rematch.rematch;
