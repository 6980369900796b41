package io.rematch.cli;

import io.rematch.experiment.Arm;
import io.rematch.experiment.Runner;
import io.rematch.train.EpochRecord;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One progress bar over every epoch of every run of an experiment on a terminal; a plain line
 * per epoch otherwise (no escape codes in CI logs). Runs finish on several threads: synchronized.
 */
final class ExperimentProgress implements Runner.Progress, AutoCloseable {

    private final PrintWriter out;
    private final ProgressBar bar;
    private final long total;
    private final long started = System.nanoTime();
    private long done;

    ExperimentProgress(PrintWriter out, boolean terminal, String task, long totalEpochs) {
        this.out = out;
        this.total = totalEpochs;
        this.bar = terminal ? new ProgressBarBuilder().setTaskName(task).setInitialMax(totalEpochs)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" epochs", 1).build() : null;
    }

    @Override
    public synchronized void epochDone(Arm arm, EpochRecord r) {
        done++;
        if (bar != null) {
            bar.stepTo(done);
            // a fixed width: the bar takes what the line leaves, so a message of varying length made it jump
            bar.setExtraMessage(String.format(Locale.ROOT, " %-24.24s dev rsum %5.1f", arm.folder(), r.validation().rsum()));
        } else {
            out.println(String.format(Locale.ROOT, "[%4d/%d epochs, %3.0f s] %-22s epoch %2d/%d  dev rsum %6.2f%s", done,
                    total, (System.nanoTime() - started) * 1e-9, arm.folder(), r.epoch() + 1,
                    arm.config().totalEpochs(), r.validation().rsum(), r.best() ? " (best)" : ""));
            out.flush();
        }
    }

    @Override
    public synchronized void resumed(Arm arm, int epochs) {
        done += epochs;
        if (bar != null) {
            bar.stepTo(done);
        } else if (epochs > 0) {
            boolean complete = epochs >= arm.config().totalEpochs();
            out.println(String.format(Locale.ROOT, "[%4d/%d epochs] %-22s %d epoch%s found committed: %s", done,
                    total, arm.folder(), epochs, epochs == 1 ? "" : "s", complete ? "complete, reused" : "resuming"));
            out.flush();
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
