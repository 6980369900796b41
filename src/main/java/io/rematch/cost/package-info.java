/**
 * L2RM's learnable transport cost (Han et al., "Learning to Rematch
 * Mismatched Pairs for Robust Cross-Modal Retrieval", CVPR 2024): the learnable cost function
 * ({@link io.rematch.cost.RowLinearCost} as released, {@link io.rematch.cost.MonotoneElementwiseCost}
 * permutation-equivariant) and its self-supervised key-point training
 * ({@link io.rematch.cost.KeyPoints}, {@link io.rematch.cost.KeyPointTraining}). The
 * rematch losses live in {@code io.rematch.loss}, the clean/noisy split in {@code io.rematch.split}.
 */
package io.rematch.cost;
