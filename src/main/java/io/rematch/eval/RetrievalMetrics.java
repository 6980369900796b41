package io.rematch.eval;

import io.rematch.check.Checks;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
 *
 * <p><b>Item ids.</b> The overloads taking {@code long[] imageIds, long[] captionIds} drop the
 * "{@code k} captions per image, in order" layout: image {@code i} and caption {@code j} belong
 * together when {@code imageIds[i] == captionIds[j]}, so an item may have several images and any
 * number of captions, in any column order. Every caption with an image's id is correct for that
 * image and every image with a caption's id is correct for that caption; as above, a query's rank
 * is that of its best-scoring correct item, and under {@link TieRule#PESSIMISTIC} only the
 * <em>non</em>-correct items tied with it are counted against it. With {@code imageIds[i] = i}
 * and {@code captionIds[j] = j / k} the results equal those of the {@code captionsPerImage}
 * methods exactly. The cost stays O(n * m): caption indices are grouped by id once (a hash map),
 * and both directions read {@code sims} in row order.
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

    // ------------------------------------------------------------------ item ids

    /**
     * {@link #evaluate(DMatrixRMaj, long[], long[], TieRule)} with {@link TieRule#PESSIMISTIC}.
     */
    public static RetrievalReport evaluate(DMatrixRMaj sims, long[] imageIds, long[] captionIds) {
        return evaluate(sims, imageIds, captionIds, TieRule.PESSIMISTIC);
    }

    /**
     * Both directions and rsum, image {@code i} and caption {@code j} matching when
     * {@code imageIds[i] == captionIds[j]} (see the class description).
     *
     * @param sims       {@code nImages x nCaptions} finite similarities, rows images, columns captions
     * @param imageIds   the item id of each image (row), {@code sims.numRows} of them
     * @param captionIds the item id of each caption (column), {@code sims.numCols} of them
     * @param ties       how tied scores are ranked
     * @throws IllegalArgumentException naming {@code sims}, {@code image-ids}, {@code caption-ids}
     *                                  or {@code ties} when the values, lengths or rule are invalid,
     *                                  or naming the index and id of the first image without a caption
     *                                  with its id (or caption without such an image)
     */
    public static RetrievalReport evaluate(DMatrixRMaj sims, long[] imageIds, long[] captionIds, TieRule ties) {
        int[][] correct = check(sims, imageIds, captionIds, ties);
        return RetrievalReport.of(imageToTextChecked(sims, correct, ties),
                textToImageChecked(sims, correct, ties));
    }

    /**
     * Image-to-text retrieval by item ids: one query per image (row), every caption with the
     * image's id correct.
     *
     * @throws IllegalArgumentException as {@link #evaluate(DMatrixRMaj, long[], long[], TieRule)}
     */
    public static DirectionMetrics imageToText(DMatrixRMaj sims, long[] imageIds, long[] captionIds, TieRule ties) {
        return imageToTextChecked(sims, check(sims, imageIds, captionIds, ties), ties);
    }

    /**
     * Text-to-image retrieval by item ids: one query per caption (column), every image with the
     * caption's id correct.
     *
     * @throws IllegalArgumentException as {@link #evaluate(DMatrixRMaj, long[], long[], TieRule)}
     */
    public static DirectionMetrics textToImage(DMatrixRMaj sims, long[] imageIds, long[] captionIds, TieRule ties) {
        return textToImageChecked(sims, check(sims, imageIds, captionIds, ties), ties);
    }

    /**
     * Checks the arguments and returns, per image, the ascending indices of the captions with its
     * id (images with the same id share one array).
     */
    private static int[][] check(DMatrixRMaj sims, long[] imageIds, long[] captionIds, TieRule ties) {
        Checks.finite("sims", sims);
        if (ties == null) {
            throw new IllegalArgumentException("ties is missing; expected PESSIMISTIC or OPTIMISTIC");
        }
        if (imageIds == null) {
            throw new IllegalArgumentException("image-ids is missing; expected one id per image (row of sims)");
        }
        if (captionIds == null) {
            throw new IllegalArgumentException("caption-ids is missing; expected one id per caption (column of sims)");
        }
        if (imageIds.length != sims.numRows) {
            throw new IllegalArgumentException("image-ids has " + imageIds.length + " ids but sims has "
                    + sims.numRows + " rows; expected one id per image (row)");
        }
        if (captionIds.length != sims.numCols) {
            throw new IllegalArgumentException("caption-ids has " + captionIds.length + " ids but sims has "
                    + sims.numCols + " columns; expected one id per caption (column)");
        }
        Map<Long, int[]> byId = captionsById(captionIds);
        int[][] correct = new int[imageIds.length][];
        for (int i = 0; i < imageIds.length; i++) {
            correct[i] = byId.get(imageIds[i]);
            if (correct[i] == null) {
                throw new IllegalArgumentException("image-ids[" + i + "] = " + imageIds[i] + " has no caption:"
                        + " no entry of caption-ids is " + imageIds[i] + "; every image needs at least one"
                        + " caption with its id");
            }
        }
        Set<Long> images = new HashSet<>(2 * imageIds.length);
        for (long id : imageIds) {
            images.add(id);
        }
        for (int j = 0; j < captionIds.length; j++) {
            if (!images.contains(captionIds[j])) {
                throw new IllegalArgumentException("caption-ids[" + j + "] = " + captionIds[j] + " has no image:"
                        + " no entry of image-ids is " + captionIds[j] + "; every caption needs at least one"
                        + " image with its id");
            }
        }
        return correct;
    }

    /** The ascending indices of the captions of each id: two passes, counts then positions. */
    private static Map<Long, int[]> captionsById(long[] captionIds) {
        Map<Long, int[]> left = new HashMap<>(2 * captionIds.length);
        for (long id : captionIds) {
            left.computeIfAbsent(id, x -> new int[1])[0]++;
        }
        Map<Long, int[]> groups = new HashMap<>(2 * left.size());
        for (int j = 0; j < captionIds.length; j++) {
            int[] count = left.get(captionIds[j]);
            int[] group = groups.computeIfAbsent(captionIds[j], x -> new int[count[0]]);
            group[group.length - count[0]--] = j;
        }
        return groups;
    }

    /** As {@link #imageToTextChecked(DMatrixRMaj, int, TieRule)}, image {@code i} matching {@code correct[i]}. */
    private static DirectionMetrics imageToTextChecked(DMatrixRMaj sims, int[][] correct, TieRule ties) {
        int n = sims.numRows;
        int m = sims.numCols;
        double[] s = sims.data;
        boolean pessimistic = ties == TieRule.PESSIMISTIC;
        int[] ranks = new int[n];
        int[] top1 = new int[n];
        for (int i = 0; i < n; i++) {
            int row = i * m;
            int[] truth = correct[i];
            double best = s[row + truth[0]];
            for (int c : truth) {
                best = Math.max(best, s[row + c]);
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
            for (int c : truth) {
                groundTruthAtBest += s[row + c] == best ? 1 : 0;
            }
            ranks[i] = pessimistic ? greater + equal - groundTruthAtBest : greater;
            top1[i] = argmax;
        }
        return DirectionMetrics.fromRanks(ranks, top1);
    }

    /**
     * As {@link #textToImageChecked(DMatrixRMaj, int, TieRule)}, in row order: a first pass over
     * each row's correct captions finds every caption's best correct score, a second counts
     * against it; the correct images tied at that score are subtracted under PESSIMISTIC.
     */
    private static DirectionMetrics textToImageChecked(DMatrixRMaj sims, int[][] correct, TieRule ties) {
        int n = sims.numRows;
        int m = sims.numCols;
        double[] s = sims.data;
        double[] truth = new double[m];
        Arrays.fill(truth, Double.NEGATIVE_INFINITY); // every caption has an image: all replaced
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int c : correct[i]) {
                truth[c] = Math.max(truth[c], s[row + c]);
            }
        }
        int[] greater = new int[m];
        int[] equal = new int[m]; // includes the correct images at the best correct score
        int[] truthAtBest = new int[m];
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
            for (int c : correct[i]) {
                truthAtBest[c] += s[row + c] == truth[c] ? 1 : 0;
            }
        }
        int[] ranks = greater;
        if (ties == TieRule.PESSIMISTIC) {
            for (int j = 0; j < m; j++) {
                ranks[j] += equal[j] - truthAtBest[j];
            }
        }
        return DirectionMetrics.fromRanks(ranks, top1);
    }
}
