package io.rematch.experiment;

import io.rematch.data.Dataset;
import io.rematch.data.emoji.EmojiDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: CL, TR-HN, CCL-log, L2RM and the hybrid trained on the emoji set at mismatch 0
 * and 0.6 ({@link Recipe#DEMO}, one seed, about five minutes on two cores), or with
 * {@code full}, at 0, 0.2, 0.6 and 0.8 over three seeds ({@link Recipe#FULL}). It writes
 * {@code demo.md} (RCL's Table 7 shape: test rSum at the best-validation and at the last epoch,
 * and the full recalls), the validation curves, the similarity histograms and the retrieved
 * examples.
 */
public final class Demo {

    /** The demo's methods. */
    public static final List<String> LABELS = List.of("CL", "TR-HN", "CCL-log", "L2RM", "hybrid");
    /** The demo's rates; {@code --full} takes {@link Experiments#RATES}. */
    public static final List<Double> RATES = List.of(0.0, 0.6);

    private Demo() {
    }

    /** The settings of the demo: its recipe and seeds. */
    public static Experiments.Settings settings(Dataset data, Path out, boolean full, Integer epochs, Integer seeds,
                                                int jobs, Runner.Progress progress, String command) {
        return settings(data, out, full, epochs, seeds, jobs, progress, command, null);
    }

    /** As {@link #settings(Dataset, Path, boolean, Integer, Integer, int, Runner.Progress, String)}, evaluating on {@code backend}. */
    public static Experiments.Settings settings(Dataset data, Path out, boolean full, Integer epochs, Integer seeds,
                                                int jobs, Runner.Progress progress, String command,
                                                io.rematch.backend.Backend backend) {
        Recipe r = full ? Recipe.FULL : Recipe.DEMO;
        if (epochs != null) {
            r = r.withEpochs(epochs);
        }
        return new Experiments.Settings(data, out, seeds != null ? seeds : full ? 3 : 1, r,
                full ? Experiments.RATES : RATES, jobs, progress, command, backend);
    }

    /** The demo's runs. */
    public static List<Arm> arms(Experiments.Settings s) {
        return Experiments.grid(LABELS, s.rates(), s);
    }

    /** Trains the runs and writes the results. */
    public static Experiments.Report run(Experiments.Settings s) throws IOException {
        List<Outcome> all = new Runner(s.data(), s.out(), s.jobs(), s.progress(), s.backend()).run(arms(s));
        double high = s.rates().stream().mapToDouble(Double::doubleValue).filter(r -> r <= Experiments.RATE + 1e-9)
                .max().orElse(s.rates().get(s.rates().size() - 1));
        List<Outcome> atHigh = new ArrayList<>();
        List<Outcome> similar = new ArrayList<>();
        Outcome example = null;
        for (Outcome o : all) {
            if (Math.abs(o.arm().rate() - high) < 1e-9) {
                atHigh.add(o);
                if (o.arm().seed() == 0 && Experiments.SIMILARITIES.contains(o.arm().label())) {
                    similar.add(o);
                }
                if (o.arm().seed() == 0 && o.arm().label().equals("CCL-log")) {
                    example = o;
                }
            }
        }
        List<Path> files = new ArrayList<>();
        String on = s.data() instanceof io.rematch.data.emoji.EmojiDataset ? "the emoji set" : s.data().dir().toString();
        StringBuilder md = new StringBuilder("# demo: robust retrieval on " + on + " with mismatched pairs\n\n");
        md.append(Experiments.provenance(s, all));
        md.append("## Test rSum at the best validation epoch and at the last epoch (RCL Table 7's shape)\n\n")
                .append(Tables.bestAndLast(all))
                .append("\n## Test recalls at the best validation epoch\n\n").append(Tables.best(all));
        Path curves = s.out().resolve("curves.png");
        Charts.save(Experiments.curves(atHigh, String.format(Locale.ROOT, ", mismatch %.1f", high)), curves);
        files.add(curves);
        if (!similar.isEmpty()) {
            Experiments.Similarities sims = Experiments.similarities(s.data(), similar);
            md.append('\n').append(sims.table());
            Path p = s.out().resolve("similarities.png");
            Charts.save(sims.picture(), p);
            files.add(p);
        }
        if (example != null && s.data() instanceof EmojiDataset emoji) {
            Path p = s.out().resolve("examples.png");
            Charts.save(Experiments.examples(emoji, example, 0), p);
            files.add(p);
        }
        md.append('\n');
        for (Path f : files) {
            md.append("![").append(f.getFileName()).append("](").append(f.getFileName()).append(")\n");
        }
        Path report = s.out().resolve("demo.md");
        Charts.save(md.toString(), report);
        files.add(0, report);
        return new Experiments.Report("demo", md.toString(), files);
    }
}
