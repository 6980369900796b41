package io.rematch.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.ForkJoinTask;
import org.junit.jupiter.api.Test;

/**
 * {@link Runner#inPool}: a run trains in a fork-join pool of its share of the cores, and what it
 * throws reaches the runner as thrown (the messages the command line prints depend on it).
 */
class RunnerPoolTest {

    @Test
    void theTaskRunsInAPoolOfItsCores() throws Exception {
        assertEquals(3, (int) Runner.inPool(3, () -> ForkJoinTask.getPool().getParallelism()));
        assertEquals("done", Runner.inPool(1, () -> "done"));
    }

    @Test
    void failuresComeBackAsThrown() {
        IllegalArgumentException bad = new IllegalArgumentException("--out x already holds a run");
        assertSame(bad, assertThrows(IllegalArgumentException.class, () -> Runner.inPool(2, () -> {
            throw bad;
        })));
        IOException disk = new IOException("disk full");
        assertSame(disk, assertThrows(IOException.class, () -> Runner.inPool(2, () -> {
            throw disk;
        })));
        StackOverflowError error = new StackOverflowError();
        assertSame(error, assertThrows(StackOverflowError.class, () -> Runner.inPool(1, () -> {
            throw error;
        })));
    }
}
