package io.rematch.train;

import io.rematch.backend.Backend;
import io.rematch.backend.CpuBackend;
import io.rematch.data.Features;
import io.rematch.data.Split;
import io.rematch.eval.RecallSummary;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import io.rematch.model.TwoTower;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Retrieval evaluation of a model on a split: every image against every caption,
 * \(S = f_V(V) f_T(T)^T\), then the library's metrics with the split's item ids (an image query
 * hits when a caption of its item is in the top K; a caption query when an image of its item is).
 */
public final class Evaluation {

    private Evaluation() {
    }

    /** The metrics of {@code model} on all of {@code split}, the similarities on the CPU. */
    public static RetrievalReport evaluate(TwoTower model, Split split, TieRule ties) {
        return evaluate(model, split, ties, CPU);
    }

    /**
     * The metrics of {@code model} on all of {@code split}, the similarity matrix computed by
     * {@code backend} (float32 on an OpenCL device: scores closer than float32 resolves can then
     * tie, and the tie rule decides them).
     */
    public static RetrievalReport evaluate(TwoTower model, Split split, TieRule ties, Backend backend) {
        return evaluate(model, split.images(), split.captions(), split.imageIds(), split.captionIds(), ties, backend);
    }

    private static final Backend CPU = new CpuBackend();

    /**
     * Above this many images x captions (128 MB of float64) the similarities are evaluated in
     * blocks of image rows instead of as one matrix: MS-COCO's 5K test set (5,000 x 25,000) would
     * take 1 GB.
     */
    static final long WHOLE_MATRIX_LIMIT = 1L << 24;

    private static RetrievalReport evaluate(TwoTower model, Features images, Features captions, long[] imageIds,
                                            long[] captionIds, TieRule ties, Backend backend) {
        double[] v = model.encodeImages(images);
        double[] t = model.encodeCaptions(captions);
        int n = images.rows();
        int m = captions.rows();
        if ((long) n * m > WHOLE_MATRIX_LIMIT) {
            return blocked(v, n, t, m, model.embed(), imageIds, captionIds, ties,
                    (int) Math.max(1, WHOLE_MATRIX_LIMIT / m), backend);
        }
        double[] s = backend.similarities(v, n, t, m, model.embed());
        return RetrievalMetrics.evaluate(DMatrixRMaj.wrap(n, m, s), imageIds, captionIds, ties);
    }

    /**
     * {@link RetrievalMetrics#evaluate(DMatrixRMaj, long[], long[], TieRule)} of the similarities of
     * {@code v} ({@code n x e}) and {@code t} ({@code m x e}) without holding them: blocks of
     * {@code rows} images against all captions, computed twice (once for the image queries and the
     * captions' best correct score, once for the caption queries' counts), so the memory is
     * {@code rows x m}. The same counting rules, so the same ranks, as the whole matrix.
     */
    static RetrievalReport blocked(double[] v, int n, double[] t, int m, int e, long[] imageIds, long[] captionIds,
                                   TieRule ties, int rows) {
        return blocked(v, n, t, m, e, imageIds, captionIds, ties, rows, CPU);
    }

    static RetrievalReport blocked(double[] v, int n, double[] t, int m, int e, long[] imageIds, long[] captionIds,
                                   TieRule ties, int rows, Backend backend) {
        boolean failedBefore = backend.failed();
        RetrievalReport r = blockedOnce(v, n, t, m, e, imageIds, captionIds, ties, rows, backend);
        // the two passes compare each other's scores exactly: if the device failed between (or
        // within) them, some scores are float32 and some float64, so do it all again on the CPU
        return !failedBefore && backend.failed() ? blockedOnce(v, n, t, m, e, imageIds, captionIds, ties, rows, CPU) : r;
    }

    private static RetrievalReport blockedOnce(double[] v, int n, double[] t, int m, int e, long[] imageIds,
                                               long[] captionIds, TieRule ties, int rows, Backend backend) {
        java.util.Map<Long, List<Integer>> byId = new java.util.HashMap<>();
        for (int j = 0; j < m; j++) {
            byId.computeIfAbsent(captionIds[j], x -> new ArrayList<>()).add(j);
        }
        int[][] correct = new int[n][];
        for (int i = 0; i < n; i++) {
            List<Integer> c = byId.get(imageIds[i]);
            if (c == null) {
                throw new IllegalArgumentException("image " + i + " (id " + imageIds[i] + ") has no caption with its id");
            }
            correct[i] = c.stream().mapToInt(Integer::intValue).toArray();
        }
        java.util.Set<Long> imageIdSet = new java.util.HashSet<>();
        for (long id : imageIds) {
            imageIdSet.add(id);
        }
        for (int j = 0; j < m; j++) {
            if (!imageIdSet.contains(captionIds[j])) {
                throw new IllegalArgumentException("caption " + j + " (id " + captionIds[j] + ") has no image with its id");
            }
        }
        boolean pessimistic = ties == TieRule.PESSIMISTIC;
        int[] i2tRanks = new int[n];
        int[] i2tTop = new int[n];
        double[] truth = new double[m];
        java.util.Arrays.fill(truth, Double.NEGATIVE_INFINITY);
        double[] top = new double[m];
        java.util.Arrays.fill(top, Double.NEGATIVE_INFINITY);
        int[] t2iTop = new int[m];
        backend.similarityBlocks(v, n, t, m, e, rows, (from, r, s) -> {
            for (int b = 0; b < r; b++) {
                int i = from + b;
                int row = b * m;
                double best = Double.NEGATIVE_INFINITY;
                for (int c : correct[i]) {
                    best = Math.max(best, s[row + c]);
                    truth[c] = Math.max(truth[c], s[row + c]);
                }
                int greater = 0;
                int equal = 0;
                int argmax = 0;
                double max = s[row];
                for (int j = 0; j < m; j++) {
                    double x = s[row + j];
                    greater += x > best ? 1 : 0;
                    equal += x == best ? 1 : 0;
                    if (x > max) {
                        max = x;
                        argmax = j;
                    }
                    if (x > top[j]) {
                        top[j] = x;
                        t2iTop[j] = i;
                    }
                }
                int atBest = 0;
                for (int c : correct[i]) {
                    atBest += s[row + c] == best ? 1 : 0;
                }
                i2tRanks[i] = pessimistic ? greater + equal - atBest : greater;
                i2tTop[i] = argmax;
            }
        });
        int[] greater = new int[m];
        int[] equal = new int[m];
        int[] truthAtBest = new int[m];
        backend.similarityBlocks(v, n, t, m, e, rows, (from, r, s) -> {
            for (int b = 0; b < r; b++) {
                int row = b * m;
                for (int j = 0; j < m; j++) {
                    double x = s[row + j];
                    greater[j] += x > truth[j] ? 1 : 0;
                    equal[j] += x == truth[j] ? 1 : 0;
                }
                for (int c : correct[from + b]) {
                    truthAtBest[c] += s[row + c] == truth[c] ? 1 : 0;
                }
            }
        });
        if (pessimistic) {
            for (int j = 0; j < m; j++) {
                greater[j] += equal[j] - truthAtBest[j];
            }
        }
        return io.rematch.eval.RetrievalReport.of(io.rematch.eval.DirectionMetrics.fromRanks(i2tRanks, i2tTop),
                io.rematch.eval.DirectionMetrics.fromRanks(greater, t2iTop));
    }

    /**
     * The mean over {@code folds} equal, contiguous folds of the images, each with the captions of
     * its items: MS-COCO's 1K protocol for {@code folds = 5} on the 5,000 test images (RCL's
     * {@code evaluation.py} evaluates {@code sims[1000 i : 1000 (i+1), 5000 i : 5000 (i+1)]}).
     *
     * @throws IllegalArgumentException naming {@code --folds} if the images do not divide evenly
     */
    public static RecallSummary folds(TwoTower model, Split split, int folds, TieRule ties) {
        return folds(model, split, folds, ties, CPU);
    }

    /** As {@link #folds(TwoTower, Split, int, TieRule)}, the similarities computed by {@code backend}. */
    public static RecallSummary folds(TwoTower model, Split split, int folds, TieRule ties, Backend backend) {
        List<RecallSummary> parts = new ArrayList<>();
        for (RetrievalReport r : foldReports(model, split, folds, ties, backend)) {
            parts.add(RecallSummary.of(r));
        }
        return RecallSummary.mean(parts);
    }

    /** The report of each fold of {@link #folds}, in order. */
    public static List<RetrievalReport> foldReports(TwoTower model, Split split, int folds, TieRule ties) {
        return foldReports(model, split, folds, ties, CPU);
    }

    /** As {@link #foldReports(TwoTower, Split, int, TieRule)}, the similarities computed by {@code backend}. */
    public static List<RetrievalReport> foldReports(TwoTower model, Split split, int folds, TieRule ties,
                                                    Backend backend) {
        int n = split.imageCount();
        if (folds < 1 || n % folds != 0) {
            throw new IllegalArgumentException("--folds " + folds + " must divide the " + n + " images of the "
                    + split.name() + " split into equal folds");
        }
        if (folds == 1) {
            return List.of(evaluate(model, split, ties, backend));
        }
        int size = n / folds;
        List<RetrievalReport> parts = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            int[] im = new int[size];
            java.util.Set<Long> ids = new java.util.HashSet<>();
            for (int i = 0; i < size; i++) {
                im[i] = f * size + i;
                ids.add(split.imageIds()[im[i]]);
            }
            List<Integer> caps = new ArrayList<>();
            for (int j = 0; j < split.captionCount(); j++) {
                if (ids.contains(split.captionIds()[j])) {
                    caps.add(j);
                }
            }
            int[] cap = caps.stream().mapToInt(Integer::intValue).toArray();
            long[] imageIds = new long[size];
            for (int i = 0; i < size; i++) {
                imageIds[i] = split.imageIds()[im[i]];
            }
            long[] captionIds = new long[cap.length];
            for (int j = 0; j < cap.length; j++) {
                captionIds[j] = split.captionIds()[cap[j]];
            }
            parts.add(evaluate(model, split.images().select(im), split.captions().select(cap), imageIds, captionIds,
                    ties, backend));
        }
        return parts;
    }
}
