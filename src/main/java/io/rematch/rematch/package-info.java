/**
 * L2RM's rematching step ({@link io.rematch.rematch.Rematching}): learnable cost, masked partial
 * optimal transport, and the plan's proposed partner for each image of a noisy batch.
 */
package io.rematch.rematch;
