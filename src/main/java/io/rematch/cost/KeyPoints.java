package io.rematch.cost;

import io.rematch.check.Checks;
import java.util.random.RandomGenerator;
import org.ejml.data.DMatrixRMaj;

/**
 * The "key points" of L2RM's self-supervised cost learning (Han et al., CVPR 2024, Section 3.2;
 * release {@code main_L2RM.py} commit a766c22, {@code train}): \(k\) pairs of the clean batch,
 * known to match, planted in random slots of the image queue (the images of the last noisy
 * batch). After the caller overwrites queue slot {@code slots[t]} with the image of clean pair
 * {@code cleanIndices[t]}, the similarity of that slot to caption {@code cleanIndices[t]} is a
 * true match, marked 1 in the {@link #supervision()} matrix.
 *
 * <p>As in the release, \(k\) is uniform in \([1, \lfloor 0.1 B\rfloor]\) (B the batch size),
 * the clean indices are \(k\) distinct indices of the batch and the slots \(k\) distinct slots of
 * the queue, both uniformly at random. For \(B &lt; 10\) the release's range is empty (Python's
 * {@code randint(1, 0)} raises); here \(k = 1\).
 *
 * @param queueLength  rows of the supervision (the queue length; B in L2RM)
 * @param batchSize    columns (the captions of the clean batch)
 * @param slots        queue slots that receive a clean image
 * @param cleanIndices the clean pairs planted there, in the same order
 */
public record KeyPoints(int queueLength, int batchSize, int[] slots, int[] cleanIndices) {

    public KeyPoints {
        Checks.atLeast("queueLength", queueLength, 1);
        Checks.atLeast("batchSize", batchSize, 1);
        if (slots == null || cleanIndices == null || slots.length != cleanIndices.length || slots.length == 0) {
            throw new IllegalArgumentException("slots and cleanIndices must be non-empty and of equal length");
        }
        boolean[] usedSlot = new boolean[queueLength];
        java.util.Set<Integer> usedClean = new java.util.HashSet<>();
        for (int t = 0; t < slots.length; t++) {
            if (slots[t] < 0 || slots[t] >= queueLength || usedSlot[slots[t]]) {
                throw new IllegalArgumentException("slots[" + t + "] = " + slots[t] + " is out of [0, " + queueLength
                        + ") or repeated");
            }
            usedSlot[slots[t]] = true;
            if (cleanIndices[t] < 0 || cleanIndices[t] >= batchSize || !usedClean.add(cleanIndices[t])) {
                throw new IllegalArgumentException("cleanIndices[" + t + "] = " + cleanIndices[t] + " is out of [0, "
                        + batchSize + ") or repeated");
            }
        }
        slots = slots.clone();
        cleanIndices = cleanIndices.clone();
    }

    /**
     * Draws key points as the release does.
     *
     * @param queueLength the number of queue slots
     * @param batchSize   the clean batch size \(B\)
     * @param random      the generator (seeded by the caller for reproducibility)
     */
    public static KeyPoints draw(int queueLength, int batchSize, RandomGenerator random) {
        Checks.atLeast("queueLength", queueLength, 1);
        Checks.atLeast("batchSize", batchSize, 1);
        int most = Math.max(1, Math.min((int) (0.1 * batchSize), Math.min(queueLength, batchSize)));
        int k = 1 + random.nextInt(most);
        return new KeyPoints(queueLength, batchSize, sample(queueLength, k, random), sample(batchSize, k, random));
    }

    /** k distinct values of [0, n), in random order (partial Fisher-Yates). */
    private static int[] sample(int n, int k, RandomGenerator random) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int t = 0; t < k; t++) {
            int pick = t + random.nextInt(n - t);
            int tmp = all[t];
            all[t] = all[pick];
            all[pick] = tmp;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    /** The number of key points \(k\). */
    public int count() {
        return slots.length;
    }

    /** The {@code queueLength x batchSize} 0/1 matrix with 1 at (slots[t], cleanIndices[t]). */
    public DMatrixRMaj supervision() {
        DMatrixRMaj m = new DMatrixRMaj(queueLength, batchSize);
        for (int t = 0; t < slots.length; t++) {
            m.set(slots[t], cleanIndices[t], 1.0);
        }
        return m;
    }

    @Override
    public int[] slots() {
        return slots.clone();
    }

    @Override
    public int[] cleanIndices() {
        return cleanIndices.clone();
    }
}
