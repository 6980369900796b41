package io.rematch.split;

import java.util.Arrays;

/**
 * The initial hard assignment of the mixture fits: the optimal two-cluster k-means split of
 * one-dimensional data. Both release libraries start EM from k-means (pomegranate's
 * {@code from_samples}, scikit-learn's {@code init_params="kmeans"}), from a random k-means++
 * seed; in one dimension the optimum is a threshold between consecutive sorted values and is
 * found exactly by one scan with prefix sums (O(n log n)), so the fit is deterministic.
 */
final class TwoMeans {

    private TwoMeans() {
    }

    /**
     * The threshold t: values {@code <= t} form cluster 0 (lower), the others cluster 1.
     * Requires at least two distinct values.
     */
    static double threshold(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        double[] prefix = new double[n + 1], prefixSq = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + s[i];
            prefixSq[i + 1] = prefixSq[i] + s[i] * s[i];
        }
        double best = Double.POSITIVE_INFINITY;
        int split = -1;
        for (int m = 1; m < n; m++) { // lower cluster s[0..m), upper s[m..n)
            if (s[m] == s[m - 1]) {
                continue; // equal values stay together
            }
            double lowSum = prefix[m], highSum = prefix[n] - prefix[m];
            double sse = prefixSq[m] - lowSum * lowSum / m + (prefixSq[n] - prefixSq[m]) - highSum * highSum / (n - m);
            if (sse < best) {
                best = sse;
                split = m;
            }
        }
        if (split < 0) {
            throw new IllegalArgumentException("need at least two distinct values to split");
        }
        return s[split - 1];
    }
}
