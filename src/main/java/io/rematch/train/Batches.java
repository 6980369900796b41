package io.rematch.train;

import io.rematch.data.Features;
import java.util.random.RandomGenerator;

/**
 * Mini-batches of training pairs: a fresh uniform permutation of the pairs each epoch (the
 * releases' {@code DataLoader(shuffle=True)}), cut into batches of B with the last partial batch
 * dropped ({@code drop_last=True} in both releases), and the buffers one batch's features are
 * gathered into.
 */
final class Batches {

    final int size;
    final double[] images;
    final double[] captions;
    final double[] scores;
    final int[] imageRows;
    final int[] captionRows;

    Batches(int size, int imageDims, int textDims) {
        this.size = size;
        images = new double[size * imageDims];
        captions = new double[size * textDims];
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

    /** Gathers batch {@code b} of {@code order}: pair {@code p}'s image {@code pairImage[p]} and caption. */
    void gather(int[] order, int b, int[] pairImage, int[] pairCaption, Features imageFeatures,
                Features captionFeatures) {
        for (int r = 0; r < size; r++) {
            int p = order[b * size + r];
            imageRows[r] = pairImage[p];
            captionRows[r] = pairCaption[p];
        }
        imageFeatures.gather(imageRows, 0, size, images);
        captionFeatures.gather(captionRows, 0, size, captions);
    }
}
