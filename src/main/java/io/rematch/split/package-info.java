/**
 * The clean/noisy split of training pairs by their per-pair losses: a two-component
 * {@link io.rematch.split.BetaMixture} (L2RM) or {@link io.rematch.split.GaussianMixture} (NCR),
 * behind {@link io.rematch.split.CleanNoisySplit}.
 */
package io.rematch.split;
