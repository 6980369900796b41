package io.rematch.train;

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

    /** The metrics of {@code model} on all of {@code split}. */
    public static RetrievalReport evaluate(TwoTower model, Split split, TieRule ties) {
        return evaluate(model, split.images(), split.captions(), split.imageIds(), split.captionIds(), ties);
    }

    private static RetrievalReport evaluate(TwoTower model, Features images, Features captions, long[] imageIds,
                                            long[] captionIds, TieRule ties) {
        double[] v = model.encodeImages(images);
        double[] t = model.encodeCaptions(captions);
        double[] s = TwoTower.similarities(v, images.rows(), t, captions.rows(), model.embed());
        return RetrievalMetrics.evaluate(DMatrixRMaj.wrap(images.rows(), captions.rows(), s), imageIds, captionIds,
                ties);
    }

    /**
     * The mean over {@code folds} equal, contiguous folds of the images, each with the captions of
     * its items: MS-COCO's 1K protocol for {@code folds = 5} on the 5,000 test images (RCL's
     * {@code evaluation.py} evaluates {@code sims[1000 i : 1000 (i+1), 5000 i : 5000 (i+1)]}).
     *
     * @throws IllegalArgumentException naming {@code --folds} if the images do not divide evenly
     */
    public static RecallSummary folds(TwoTower model, Split split, int folds, TieRule ties) {
        List<RecallSummary> parts = new ArrayList<>();
        for (RetrievalReport r : foldReports(model, split, folds, ties)) {
            parts.add(RecallSummary.of(r));
        }
        return RecallSummary.mean(parts);
    }

    /** The report of each fold of {@link #folds}, in order. */
    public static List<RetrievalReport> foldReports(TwoTower model, Split split, int folds, TieRule ties) {
        int n = split.imageCount();
        if (folds < 1 || n % folds != 0) {
            throw new IllegalArgumentException("--folds " + folds + " must divide the " + n + " images of the "
                    + split.name() + " split into equal folds");
        }
        if (folds == 1) {
            return List.of(evaluate(model, split, ties));
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
                    ties));
        }
        return parts;
    }
}
