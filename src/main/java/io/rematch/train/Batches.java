package io.rematch.train;

import java.util.random.RandomGenerator;

/**
 * Mini-batches of training pairs: a fresh uniform permutation of the pairs each epoch (the
 * releases' {@code DataLoader(shuffle=True)}), cut into batches of B with the last partial batch
 * dropped ({@code drop_last=True} in both releases); per batch the image and caption rows of its
 * pairs and a buffer for its score matrix.
 */
final class Batches {

    final int size;
    final double[] scores;
    final int[] imageRows;
    final int[] captionRows;

    Batches(int size) {
        this.size = size;
        scores = new double[size * size];
        imageRows = new int[size];
        captionRows = new int[size];
    }

    /** A uniform random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(int n, RandomGenerator random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Selects the pairs {@code order[from..from+count)}: pair {@code p}'s image
     * {@code pairImage[p]} and caption {@code pairCaption[p]}.
     */
    void select(int[] order, int from, int count, int[] pairImage, int[] pairCaption) {
        for (int r = 0; r < count; r++) {
            int p = order[from + r];
            imageRows[r] = pairImage[p];
            captionRows[r] = pairCaption[p];
        }
    }
}
