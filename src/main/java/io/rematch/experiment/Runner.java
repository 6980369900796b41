package io.rematch.experiment;

import io.rematch.data.Dataset;
import io.rematch.train.EpochRecord;
import io.rematch.train.TrainingListener;
import io.rematch.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Trains the arms of an experiment, {@code jobs} at a time (each run is deterministic, on its
 * share of the cores, so running several at once changes no number), each into its own run folder
 * under {@code out/runs/}. A folder that already holds the arm's run is resumed: a finished one
 * is only tested again, so an interrupted experiment continues where it stopped and a second
 * experiment reuses the runs of the first.
 */
public final class Runner {

    /** What the command line draws: an epoch of some arm finished. */
    public interface Progress {
        /** One epoch of {@code arm} was trained, validated and committed. */
        void epochDone(Arm arm, EpochRecord record);

        /** {@code epochs} epochs of {@code arm} were found committed by an earlier run. */
        default void resumed(Arm arm, int epochs) {
        }

        /** Nothing. */
        Progress NONE = (arm, record) -> {
        };
    }

    private final Dataset data;
    private final Path runs;
    private final int jobs;
    private final Progress progress;
    private final io.rematch.backend.Backend backend;

    /**
     * @param jobs runs at once, at least 1
     */
    public Runner(Dataset data, Path out, int jobs, Progress progress) {
        this(data, out, jobs, progress, new io.rematch.backend.CpuBackend());
    }

    /**
     * As {@link #Runner(Dataset, Path, int, Progress)}, every run's validation and test
     * similarities computed by {@code backend} (shared by the runs: a device takes them in turn).
     */
    public Runner(Dataset data, Path out, int jobs, Progress progress, io.rematch.backend.Backend backend) {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1, got " + jobs);
        }
        this.data = data;
        this.runs = out.resolve("runs");
        this.jobs = jobs;
        this.progress = progress;
        this.backend = io.rematch.check.Checks.present("backend", backend);
    }

    /** The total number of epochs the arms train (warm-up included), for a progress bar. */
    public static long epochs(List<Arm> arms) {
        return arms.stream().mapToLong(a -> a.config().totalEpochs()).sum();
    }

    /** Trains (or resumes) every arm; the outcomes come back in the arms' order. */
    public List<Outcome> run(List<Arm> arms) throws IOException {
        check(data);
        Files.createDirectories(runs);
        int atOnce = Math.min(jobs, Math.max(1, arms.size()));
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / atOnce);
        ExecutorService pool = Executors.newFixedThreadPool(atOnce, r -> {
            Thread t = new Thread(r, "rematch-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Arm arm : arms) {
                futures.add(pool.submit(() -> trainOn(cores, arm)));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IllegalArgumentException i) {
                        throw i;
                    }
                    if (c instanceof IOException i) {
                        throw i;
                    }
                    if (c instanceof UncheckedIOException i) {
                        throw i;
                    }
                    throw new IllegalStateException("a training run failed: " + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Reads every split the runs need (and the vocabulary) before any run starts, so that a broken
     * dataset is reported once, as {@code --data}'s fault, and nothing is written.
     */
    static void check(Dataset data) throws IOException {
        try {
            data.split("train");
            data.split("dev");
            data.split("test");
            data.vocabulary();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m != null && m.startsWith("--data") ? m : "--data: " + m, e);
        }
    }

    /**
     * The folder of a run's schedule under {@code runs/}: {@code e20-d12} (20 epochs, the learning
     * rate divided by 10 every 12), {@code e20-d12-w2} with 2 warm-up epochs. Runs of different
     * schedules (the demo's 20 epochs, {@code --full}'s 30, an {@code --epochs}) never share a folder.
     */
    static String schedule(io.rematch.train.TrainingConfig c) {
        return "e" + c.totalEpochs() + "-d" + c.lrDecayEvery() + (c.warmup() > 0 ? "-w" + c.warmup() : "");
    }

    /**
     * {@link #train} in a fork-join pool of its own, {@code cores} threads: the parts of a step
     * that run on several cores (the matrix products, the large sweeps, Adam) take the run's share
     * of the machine and no more, so that runs trained at once do not crowd each other. Their bits
     * do not depend on the number of threads.
     */
    private Outcome trainOn(int cores, Arm arm) throws Exception {
        return inPool(cores, () -> train(arm));
    }

    /**
     * {@code task} on a fork-join pool of its own, {@code cores} threads; what it throws is rethrown
     * as it was thrown (a fork-join task's {@code get} would hand back a copy, or wrap it).
     */
    static <T> T inPool(int cores, java.util.concurrent.Callable<T> task) throws Exception {
        ForkJoinPool own = new ForkJoinPool(cores);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            T out = own.submit(() -> {
                try {
                    return task.call();
                } catch (Throwable t) {
                    failed.set(t);
                    return null;
                }
            }).get();
            Throwable t = failed.get();
            if (t instanceof Exception x) {
                throw x;
            }
            if (t instanceof Error x) {
                throw x;
            }
            return out;
        } finally {
            own.shutdownNow();
        }
    }

    private Outcome train(Arm arm) throws IOException {
        Path folder = runs.resolve(schedule(arm.config())).resolve(arm.folder());
        boolean exists = Files.isRegularFile(folder.resolve(TrainingRun.RUN));
        Path pointer = folder.resolve(TrainingRun.POINTER);
        if (exists && Files.isRegularFile(pointer)) {
            Object e = io.rematch.io.Json.parseObject(Files.readString(pointer), pointer.toString()).get("epoch");
            if (e instanceof Number n) {
                progress.resumed(arm, Math.min(n.intValue(), arm.config().totalEpochs()));
            }
        }
        TrainingListener listener = new TrainingListener() {
            @Override
            public void epochEnded(EpochRecord record) {
                progress.epochDone(arm, record);
            }
        };
        try {
            TrainingRun.train(arm.config(), data, folder, exists ? TrainingRun.Start.RESUME : TrainingRun.Start.NEW,
                    listener, backend);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            if (m != null && m.contains("holds a run with another configuration")) {
                // TrainingRun speaks to 'rematch train'; here there is no --resume or --force
                m = folder + " holds a run with another configuration (" + m.replaceFirst("^.*configuration \\(", "")
                        .replaceFirst("\\); resume with the same options.*$", "") + "); delete that folder to train"
                        + " it again, or use another --out";
            }
            throw new IllegalArgumentException(arm.folder() + ": " + m, e);
        }
        return Outcome.read(arm, folder);
    }
}
