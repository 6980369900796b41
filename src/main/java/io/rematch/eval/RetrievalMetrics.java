package io.rematch.eval;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * Evaluates cross-modal retrieval from an image-caption similarity matrix, as RCL's
 * {@code RCL-SGRAF/evaluation.py} ({@code i2t}, {@code t2i}; release commit 1096a24) does.
 *
 * <p>{@code sims} has one row per image and {@code nImages * k} columns, one per caption; caption
 * {@code j} describes image {@code j / k} ({@code k = 5} for Flickr30K and MS-COCO, 1 for CC152K).
 * Higher scores mean more similar; the scale does not matter.
 *
 * <ul>
 *   <li><b>i2t</b> (image query {@code i}, row {@code i}): the rank of the image is the best rank
 *       of its {@code k} captions, i.e. the rank of its highest-scoring caption.</li>
 *   <li><b>t2i</b> (caption query {@code j}, column {@code j}): the rank of image {@code j / k}
 *       among all images.</li>
 * </ul>
 *
 * <p>Ranks are 0-based and counted, never sorted: for the ground-truth score {@code g} the rank is
 * the number of items scoring above {@code g}, plus under {@link TieRule#PESSIMISTIC} the number
 * of other items scoring exactly {@code g}. That is O(n) per query, and the whole evaluation reads
 * {@code sims} twice, in row order (1,000 x 5,000 takes milliseconds). Without ties the ranks and
 * metrics equal RCL's exactly; see {@link TieRule} for ties.
 */
public final class RetrievalMetrics {

    private RetrievalMetrics() {
    }

    /** {@link #evaluate(DMatrixRMaj, int, TieRule)} with {@link TieRule#PESSIMISTIC}. */
    public static RetrievalReport evaluate(DMatrixRMaj sims, int captionsPerImage) {
        return evaluate(sims, captionsPerImage, TieRule.PESSIMISTIC);
    }

    /**
     * Both directions and rsum.
     *
     * @param sims             {@code nImages x (nImages * captionsPerImage)} finite similarities
     * @param captionsPerImage captions per image, {@code >= 1}
     * @param ties             how tied scores are ranked
     * @throws IllegalArgumentException naming {@code sims}, {@code captions-per-image} or
     *                                  {@code ties} when the shape, values or rule are invalid
     */
    public static RetrievalReport evaluate(DMatrixRMaj sims, int captionsPerImage, TieRule ties) {
        check(sims, captionsPerImage, ties);
        return RetrievalReport.of(imageToTextChecked(sims, captionsPerImage, ties),
                textToImageChecked(sims, captionsPerImage, ties));
    }

    /**
     * Image-to-text retrieval (image annotation): one query per image (row).
     *
     * @throws IllegalArgumentException as {@link #evaluate(DMatrixRMaj, int, TieRule)}
     */
    public static DirectionMetrics imageToText(DMatrixRMaj sims, int captionsPerImage, TieRule ties) {
        check(sims, captionsPerImage, ties);
        return imageToTextChecked(sims, captionsPerImage, ties);
    }

    /**
     * Text-to-image retrieval (image search): one query per caption (column).
     *
     * @throws IllegalArgumentException as {@link #evaluate(DMatrixRMaj, int, TieRule)}
     */
    public static DirectionMetrics textToImage(DMatrixRMaj sims, int captionsPerImage, TieRule ties) {
        check(sims, captionsPerImage, ties);
        return textToImageChecked(sims, captionsPerImage, ties);
    }

    private static void check(DMatrixRMaj sims, int captionsPerImage, TieRule ties) {
        Checks.finite("sims", sims);
        Checks.atLeast("captions-per-image", captionsPerImage, 1);
        if (ties == null) {
            throw new IllegalArgumentException("ties is missing; expected PESSIMISTIC or OPTIMISTIC");
        }
        if ((long) sims.numRows * captionsPerImage != sims.numCols) {
            throw new IllegalArgumentException("sims has " + sims.numRows + " rows and " + sims.numCols
                    + " columns; " + sims.numCols + " is not " + sims.numRows + " x captions-per-image ("
                    + captionsPerImage + "): expected one row per image and one column per caption,"
                    + " caption j belonging to image j / captions-per-image");
        }
    }

    /** One pass over each row: its best ground-truth score, then counts against it. */
    private static DirectionMetrics imageToTextChecked(DMatrixRMaj sims, int k, TieRule ties) {
        int n = sims.numRows;
        int m = sims.numCols;
        double[] s = sims.data;
        boolean pessimistic = ties == TieRule.PESSIMISTIC;
        int[] ranks = new int[n];
        int[] top1 = new int[n];
        for (int i = 0; i < n; i++) {
            int row = i * m;
            int first = row + i * k;
            double best = s[first];
            for (int c = first + 1; c < first + k; c++) {
                best = Math.max(best, s[c]);
            }
            int greater = 0;
            int equal = 0;
            int argmax = 0;
            double top = s[row];
            for (int j = 0; j < m; j++) {
                double v = s[row + j];
                if (v > best) {
                    greater++;
                } else if (v == best) {
                    equal++;
                }
                if (v > top) {
                    top = v;
                    argmax = j;
                }
            }
            int groundTruthAtBest = 0; // these are in `equal` but never rank ahead of themselves
            for (int c = first; c < first + k; c++) {
                groundTruthAtBest += s[c] == best ? 1 : 0;
            }
            ranks[i] = pessimistic ? greater + equal - groundTruthAtBest : greater;
            top1[i] = argmax;
        }
        return DirectionMetrics.fromRanks(ranks, top1);
    }

    /**
     * Column queries computed in row order: every caption keeps counters, and each row updates
     * all of them, so {@code sims} is read sequentially instead of with stride {@code numCols}.
     */
    private static DirectionMetrics textToImageChecked(DMatrixRMaj sims, int k, TieRule ties) {
        int n = sims.numRows;
        int m = sims.numCols;
        double[] s = sims.data;
        double[] truth = new double[m];
        for (int j = 0; j < m; j++) {
            truth[j] = s[(j / k) * m + j];
        }
        int[] greater = new int[m];
        int[] equal = new int[m]; // includes the ground-truth image itself
        int[] top1 = new int[m];
        double[] top = new double[m];
        System.arraycopy(s, 0, top, 0, m);
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int j = 0; j < m; j++) {
                double v = s[row + j];
                double g = truth[j];
                greater[j] += v > g ? 1 : 0;
                equal[j] += v == g ? 1 : 0;
                if (v > top[j]) {
                    top[j] = v;
                    top1[j] = i;
                }
            }
        }
        int[] ranks = greater;
        if (ties == TieRule.PESSIMISTIC) {
            for (int j = 0; j < m; j++) {
                ranks[j] += equal[j] - 1;
            }
        }
        return DirectionMetrics.fromRanks(ranks, top1);
    }
}
