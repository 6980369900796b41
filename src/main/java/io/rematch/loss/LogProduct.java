package io.rematch.loss;

/**
 * Accumulates \(-\sum_k \log f_k\) for factors \(f_k \in (0, 1]\) as the logarithm of a running
 * product, renormalised before it can underflow: one {@code log} per 2^500 of dynamic range
 * instead of one per factor. The log bound (RCL Eq. 15) sums \(-\log(1 - p)\) over all
 * \(N^2\) negatives, and this makes its value nearly as cheap as its gradient.
 */
final class LogProduct {

    private static final double FLOOR = 0x1p-500; // product * factor stays a normal double

    private double product = 1.0;
    private double total;

    /** Adds \(-\log f\) for \(f \in (0, 1]\) (a zero factor gives +infinity, as log does). */
    void add(double f) {
        if (f < FLOOR) {
            total -= Math.log(f);
            return;
        }
        product *= f;
        if (product < FLOOR) {
            total -= Math.log(product);
            product = 1.0;
        }
    }

    /**
     * Adds every factor {@code other} holds (the product of two normal products is normal:
     * both are at least \(2^{-500}\)).
     */
    void merge(LogProduct other) {
        total += other.total;
        product *= other.product;
        if (product < FLOOR) {
            total -= Math.log(product);
            product = 1.0;
        }
    }

    /** \(-\sum \log f_k\) over every factor added so far. */
    double negativeLogSum() {
        return total - Math.log(product);
    }
}
