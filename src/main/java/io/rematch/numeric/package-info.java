/**
 * What every computing package shares: the evaluation {@link io.rematch.numeric.Mode} (the
 * textbook's stable arithmetic or the papers' released arithmetic) and the restorable random
 * stream ({@link io.rematch.numeric.RestorableRandom}) that makes a run reproducible from a seed
 * and resumable from a checkpoint.
 */
package io.rematch.numeric;
