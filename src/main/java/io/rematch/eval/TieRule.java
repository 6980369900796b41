package io.rematch.eval;

/**
 * How a ground-truth item is ranked among items with exactly the same score.
 *
 * <p>RCL's {@code evaluation.py} sorts each query's scores with NumPy's default, unstable
 * {@code argsort} and reverses it, so the order of tied items there depends on the NumPy version
 * and CPU. This library instead counts, which is deterministic and O(n) per query. Without ties
 * both rules give the same ranks as RCL; with ties, RCL's ranks lie between the two:
 * {@code OPTIMISTIC <= RCL <= PESSIMISTIC}.
 */
public enum TieRule {
    /**
     * Ground truth is placed after every other item with its score: 0-based rank = number of
     * items scoring strictly higher plus number of non-ground-truth items scoring the same. The
     * default, because a degenerate model that gives every item the same score then gets the worst
     * rank, not a perfect one.
     */
    PESSIMISTIC,
    /**
     * Ground truth is placed before every other item with its score: 0-based rank = number of items
     * scoring strictly higher. An upper bound on what any tie order could report.
     */
    OPTIMISTIC
}
