/**
 * Optimizers for the parameters the library trains itself: {@link io.rematch.optim.Adam}, used by
 * L2RM's learnable cost function and by the training engine.
 */
package io.rematch.optim;
