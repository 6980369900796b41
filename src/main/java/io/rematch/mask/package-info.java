/**
 * Sets of entries of an images x captions pair matrix ({@link io.rematch.mask.PairMask}): the
 * negatives of the complementary losses and the forbidden entries of a transport plan.
 */
package io.rematch.mask;
