package io.rematch.train;

/**
 * What a training run tells its caller: the command line draws a progress bar from it, tests stop
 * a run mid-epoch through it. Trainers print nothing themselves. All methods default to nothing.
 * A listener that throws stops the run; the checkpoints committed so far stay intact.
 */
public interface TrainingListener {

    /**
     * An epoch begins.
     *
     * @param epoch   0-based, warm-up epochs included
     * @param total   the run's number of epochs
     * @param batches batches this epoch
     */
    default void epochStarted(int epoch, int total, int batches) {
    }

    /**
     * A batch was trained.
     *
     * @param batch 0-based within the epoch
     * @param loss  its training loss
     */
    default void batchEnded(int epoch, int batch, double loss) {
    }

    /** An epoch was trained, validated and committed to disk. */
    default void epochEnded(EpochRecord record) {
    }

    /** A line of information (what was loaded, what was resumed). */
    default void note(String message) {
    }

    /** Nothing. */
    TrainingListener NONE = new TrainingListener() {
    };
}
