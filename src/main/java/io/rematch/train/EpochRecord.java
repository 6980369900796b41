package io.rematch.train;

import io.rematch.eval.RecallSummary;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch did: a line of {@code log.jsonl}.
 *
 * @param epoch          0-based, warm-up included (the log writes it 1-based)
 * @param phase          {@code warmup} or {@code train}
 * @param learningRate   the retrieval model's learning rate during the epoch
 * @param losses         mean training losses by name: the loss's name for RCL (e.g. {@code ccl-log});
 *                       L2RM and the hybrid: {@code clean}, {@code rematch}, {@code cost} (the log
 *                       writes each as {@code loss_NAME})
 * @param trainSeconds   wall time of the training steps alone (no evaluation, no checkpoint)
 * @param pairsPerSecond training pairs per second of {@code trainSeconds}
 * @param validation     the dev split's recalls after the epoch
 * @param diagnostics    what only a run that knows the injected truth can report (L2RM and the
 *                       hybrid: split precision and recall, rematch precision); may be empty
 * @param best           whether this epoch's validation rsum is the best of the run so far
 *                       (resumed epochs included)
 * @param validatedOn    where the validation similarities were computed ({@link io.rematch.backend.Backend#ranOn})
 * @param trainedOn      where the training steps' tower products ran: {@code cpu}, {@code opencl}, or
 *                       {@code opencl, then cpu} if the device failed during the epoch
 */
public record EpochRecord(int epoch, String phase, double learningRate, Map<String, Double> losses,
                          double trainSeconds, double pairsPerSecond, RecallSummary validation,
                          Map<String, Double> diagnostics, boolean best, String validatedOn,
                          String trainedOn) {

    public EpochRecord {
        losses = Map.copyOf(losses);
        diagnostics = Map.copyOf(diagnostics);
    }

    /** The log line's object (insertion-ordered keys; non-finite numbers become null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch + 1);
        m.put("phase", phase);
        m.put("lr", learningRate);
        new java.util.TreeMap<>(losses).forEach((k, v) -> m.put("loss_" + k, v));
        m.put("train_seconds", trainSeconds);
        m.put("training_backend", trainedOn);
        m.put("pairs_per_second", pairsPerSecond);
        Map<String, Object> val = new LinkedHashMap<>();
        validation.toMap().forEach(val::put);
        m.put("validation", val);
        m.put("validation_backend", validatedOn);
        m.put("best", best);
        new java.util.TreeMap<>(diagnostics).forEach(m::put);
        return m;
    }
}
