package io.rematch.train;

import io.rematch.model.TwoTower;
import java.util.Map;

/**
 * One training method (RCL, L2RM, the hybrid): what happens inside an epoch. The epoch loop,
 * validation, logging and checkpoints are {@link TrainingRun}'s.
 */
public interface Trainer {

    /** What an epoch reports: mean losses by name and, where the truth is known, diagnostics. */
    record EpochResult(Map<String, Double> losses, Map<String, Double> diagnostics, int pairs) {
    }

    /** The retrieval model being trained. */
    TwoTower model();

    /**
     * Trains one epoch.
     *
     * @param epoch        0-based, warm-up epochs included
     * @param learningRate the retrieval model's learning rate for this epoch
     */
    EpochResult trainEpoch(int epoch, double learningRate, TrainingListener listener);

    /** Adds everything the next epoch depends on (weights, optimiser, random states) to {@code out}. */
    void save(Checkpoint out);

    /** Restores what {@link #save} wrote. */
    void restore(Checkpoint in);
}
