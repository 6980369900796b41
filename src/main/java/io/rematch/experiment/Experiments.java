package io.rematch.experiment;

import io.rematch.data.Dataset;
import io.rematch.data.Mismatch;
import io.rematch.data.NoiseIndex;
import io.rematch.data.Split;
import io.rematch.data.emoji.EmojiDataset;
import io.rematch.eval.RecallSummary;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.model.TwoTower;
import io.rematch.rematch.Rematching;
import io.rematch.train.Checkpoint;
import io.rematch.train.L2rmTrainer;
import io.rematch.train.TrainedModel;
import io.rematch.train.TrainingRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.ejml.data.DMatrixRMaj;

/**
 * The papers' experiments at small scale, by name. Each trains its arms (reusing the runs another
 * experiment already trained in the same {@code --out}), then writes {@code NAME.md} (its tables,
 * the command and the seeds) and its PNGs into {@code --out}.
 *
 * <ul>
 *   <li>{@code mrate}: RCL's Table 2: CL, CCL-log, TR-HN, TR, NL, L2RM and the hybrid at mismatch
 *   0, 0.2, 0.6 and 0.8;</li>
 *   <li>{@code bounds}: Table 6: MAE and the four bounds at 0.6;</li>
 *   <li>{@code ablation}: Table 7: TR, TR-HN, NL, CL and CCL at 0.6;</li>
 *   <li>{@code curves}: Figure 5: the validation R@1 per epoch per loss;</li>
 *   <li>{@code similarities}: Figure 4: the similarities of true and false positive training pairs,
 *   and of positive and negative validation pairs;</li>
 *   <li>{@code tau}: Figure 7: the test rSum against the temperature;</li>
 *   <li>{@code rematch}: L2RM's clean/noisy split and rematch precision per epoch, and one noisy
 *   batch's transport plan with the true partners marked;</li>
 *   <li>{@code examples}: Figures 6 and 8: retrieved texts and images, and mismatched training
 *   pairs with what the model retrieves instead (emoji data only).</li>
 * </ul>
 */
public final class Experiments {

    /** The experiments, in the order {@code --help} lists them. */
    public static final List<String> NAMES = List.of("mrate", "bounds", "ablation", "curves", "similarities", "tau",
            "rematch", "examples");
    /** Table 2's rates. */
    public static final List<Double> RATES = List.of(0.0, 0.2, 0.6, 0.8);
    /** The rate of the single-rate experiments (RCL's Tables 6 and 7 use 0.6 too). */
    public static final double RATE = 0.6;
    /** Figure 7's temperatures. */
    public static final List<Double> TAUS = List.of(0.01, 0.02, 0.05, 0.1);

    static final List<String> MRATE = List.of("CL", "CCL-log", "TR-HN", "TR", "NL", "L2RM", "hybrid");
    static final List<String> BOUNDS = List.of("MAE", "CCL-log", "CCL-exp", "CCL-gce", "CCL-tan");
    static final List<String> ABLATION = List.of("TR", "TR-HN", "NL", "CL", "CCL-log");
    static final List<String> SIMILARITIES = List.of("CL", "TR-HN", "CCL-log");
    static final List<String> TAU = List.of("CL", "CCL-log");
    static final List<String> REMATCH = List.of("L2RM", "hybrid");

    private Experiments() {
    }

    /**
     * What an experiment reads and where it writes.
     *
     * @param data     the dataset
     * @param out      the experiment folder: {@code runs/} and the results
     * @param seeds    seeds 0 .. seeds-1, at least 1
     * @param recipe   the training budget
     * @param rates    mismatch rates of {@code mrate} (the others use {@link #RATE}), or {@code null} for {@link #RATES}
     * @param jobs     runs at once
     * @param progress what the command line draws
     * @param command  the command line, recorded in the results
     * @param backend  where the runs' validation and test similarities are computed ({@code null}: the CPU)
     */
    public record Settings(Dataset data, Path out, int seeds, Recipe recipe, List<Double> rates, int jobs,
                           Runner.Progress progress, String command, io.rematch.backend.Backend backend) {

        /** The settings with every evaluation on the CPU. */
        public Settings(Dataset data, Path out, int seeds, Recipe recipe, List<Double> rates, int jobs,
                        Runner.Progress progress, String command) {
            this(data, out, seeds, recipe, rates, jobs, progress, command, null);
        }

        public Settings {
            if (backend == null) {
                backend = new io.rematch.backend.CpuBackend();
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1 (the number of seeds), got " + seeds);
            }
            if (rates != null) {
                for (double r : rates) {
                    if (!(r >= 0 && r < 1)) {
                        throw new IllegalArgumentException("--rates must be in [0, 1), got " + r);
                    }
                }
            }
        }

        List<Double> mrateRates() {
            return rates != null ? rates : RATES;
        }
    }

    /** What an experiment wrote. */
    public record Report(String name, String markdown, List<Path> files) {
    }

    /** The experiment named {@code name}, or an error listing the names. */
    public static String check(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("unknown experiment '" + name + "'; expected one of "
                    + String.join(", ", NAMES));
        }
        return n;
    }

    /** The runs experiment {@code name} trains. */
    public static List<Arm> arms(String name, Settings s) {
        switch (check(name)) {
            case "mrate":
                return grid(MRATE, s.mrateRates(), s);
            case "bounds":
                return grid(BOUNDS, List.of(RATE), s);
            case "ablation":
            case "curves":
                return grid(ABLATION, List.of(RATE), s);
            case "similarities":
            case "examples":
                return grid(name.equals("examples") ? List.of("CCL-log") : SIMILARITIES, List.of(RATE),
                        new Settings(s.data(), s.out(), 1, s.recipe(), s.rates(), s.jobs(), s.progress(), s.command(),
                                s.backend()));
            case "tau":
                List<Arm> arms = new ArrayList<>();
                for (String label : TAU) {
                    for (double tau : TAUS) {
                        for (long seed = 0; seed < s.seeds(); seed++) {
                            Arm a = Arm.of(s.recipe(), label, RATE, seed);
                            String folder = tau == a.config().tau() ? a.folder()
                                    : a.folder().replace("-r", String.format(Locale.ROOT, "-t%.2f-r", tau));
                            arms.add(new Arm(label, label + String.format(Locale.ROOT, " tau=%.2f", tau),
                                    a.config().withTau(tau), folder));
                        }
                    }
                }
                return arms;
            case "rematch":
                return grid(REMATCH, List.of(RATE), s);
            default:
                throw new IllegalStateException(name);
        }
    }

    static List<Arm> grid(List<String> labels, List<Double> rates, Settings s) {
        List<Arm> arms = new ArrayList<>();
        for (double rate : rates) {
            for (String label : labels) {
                for (long seed = 0; seed < s.seeds(); seed++) {
                    arms.add(Arm.of(s.recipe(), label, rate, seed));
                }
            }
        }
        return arms;
    }

    /** Trains the arms of {@code name} and writes its results. */
    public static Report run(String name, Settings s) throws IOException {
        String n = check(name);
        if (n.equals("examples") && !(s.data() instanceof EmojiDataset)) {
            throw new IllegalArgumentException("--data: the examples experiment draws emoji renderings; give an emoji"
                    + " dataset folder (items.tsv, texts.tsv, images-VENDOR.png), such as data-small/emoji");
        }
        List<Outcome> outcomes = new Runner(s.data(), s.out(), s.jobs(), s.progress(), s.backend()).run(arms(n, s));
        List<Path> files = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(n).append(": ").append(title(n)).append("\n\n");
        md.append(provenance(s, outcomes));
        switch (n) {
            case "mrate" -> {
                md.append(fullTables(outcomes));
                files.add(png(s, "mrate.png", Charts.grid(List.of(
                        rsumAgainst(outcomes, o -> o.arm().rate(), Outcome::testBest, "mismatch rate",
                                "Test rSum, best validation epoch", false),
                        rsumAgainst(outcomes, o -> o.arm().rate(), Outcome::testLast, "mismatch rate",
                                "Test rSum, last epoch", false)), 2)));
            }
            case "bounds", "ablation" -> md.append(fullTables(outcomes));
            case "curves" -> {
                md.append(compact(outcomes));
                files.add(png(s, "curves.png", curves(outcomes, "")));
            }
            case "similarities" -> {
                Similarities sims = similarities(s.data(), outcomes);
                md.append(sims.table());
                files.add(png(s, "similarities.png", sims.picture()));
            }
            case "tau" -> {
                md.append(compact(outcomes));
                files.add(png(s, "tau.png", Charts.grid(List.of(
                        rsumAgainst(outcomes, o -> o.arm().config().tau(), Outcome::testBest, "tau (log scale)",
                                String.format(Locale.ROOT, "Test rSum against tau at mismatch %.1f, best validation", RATE),
                                true),
                        rsumAgainst(outcomes, o -> o.arm().config().tau(), Outcome::testLast, "tau (log scale)",
                                String.format(Locale.ROOT, "Test rSum against tau at mismatch %.1f, last epoch", RATE),
                                true)), 2)));
            }
            case "rematch" -> {
                md.append(compact(outcomes)).append('\n').append(diagnosticsTable(outcomes));
                files.add(png(s, "rematch.png", diagnostics(outcomes)));
                Plan plan = plan(s.data(), outcomes.get(0));
                md.append('\n').append(plan.caption()).append('\n');
                files.add(png(s, "rematch-plan.png", plan.picture()));
            }
            case "examples" -> {
                files.add(png(s, "examples.png", examples((EmojiDataset) s.data(), outcomes.get(0), 0)));
                md.append("Model: ").append(outcomes.get(0).arm().group()).append(" at mismatch ").append(RATE)
                        .append(", seed 0, best validation epoch ").append(outcomes.get(0).bestEpoch()).append(".\n");
            }
            default -> throw new IllegalStateException(n);
        }
        md.append('\n');
        for (Path f : files) {
            md.append("![").append(f.getFileName()).append("](").append(f.getFileName()).append(")\n");
        }
        Path report = s.out().resolve(n + ".md");
        Charts.save(md.toString(), report);
        files.add(0, report);
        return new Report(n, md.toString(), files);
    }

    static String title(String n) {
        return switch (n) {
            case "mrate" -> "test recalls at four mismatch rates (RCL Table 2)";
            case "bounds" -> "MAE and its four upper bounds at mismatch 0.6 (RCL Table 6)";
            case "ablation" -> "CCL against the baselines at mismatch 0.6 (RCL Table 7)";
            case "curves" -> "validation R@1 per epoch at mismatch 0.6 (RCL Figure 5)";
            case "similarities" -> "similarities of true and false pairs at mismatch 0.6 (RCL Figure 4)";
            case "tau" -> "sensitivity to the temperature at mismatch 0.6 (RCL Figure 7)";
            case "rematch" -> "L2RM's split and rematch precision at mismatch 0.6";
            case "examples" -> "retrieved examples (RCL Figures 6 and 8)";
            default -> n;
        };
    }

    static String provenance(Settings s, List<Outcome> outcomes) throws IOException {
        long seeds = outcomes.stream().map(o -> o.arm().seed()).distinct().count();
        Recipe r = s.recipe();
        boolean warms = outcomes.stream().anyMatch(o -> !o.arm().config().method().equals("rcl"));
        return String.format(Locale.ROOT, "Command: `%s`%n%nData: `%s` (fingerprint %s). %s. Training: %s"
                        + "%s, linear towers to %d-d, batch 128, Adam %.0e times 0.1 every %s, tau 0.05 unless varied,"
                        + " image-level mismatches. Test split, recalls in %%, pessimistic ties; mean ± sample standard"
                        + " deviation over seeds. Validation and test similarities: %s (a run reused from an earlier"
                        + " experiment keeps the validations it had; its results.json says where they ran).%n%n",
                s.command(), s.data().dir(), s.data().fingerprint().substring(0, 12),
                seeds == 1 ? "Seed: 0" : "Seeds: 0 to " + (seeds - 1), plural(r.epochs(), "epoch"),
                warms ? " (L2RM and the hybrid: " + plural(r.warmup(), "epoch") + " of warm-up)" : "",
                Recipe.EMBED, Recipe.LEARNING_RATE, r.decayEvery() == 1 ? "epoch" : plural(r.decayEvery(), "epoch"),
                s.backend().describe());
    }

    /** {@code 1 epoch}, {@code 2 epochs}. */
    static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    static String fullTables(List<Outcome> outcomes) {
        return "## At the best validation epoch\n\n" + Tables.best(outcomes) + "\n## At the last epoch\n\n"
                + Tables.last(outcomes) + "\n## rSum, best validation and last epoch\n\n" + Tables.bestAndLast(outcomes);
    }

    static String compact(List<Outcome> outcomes) {
        return Tables.bestAndLast(outcomes);
    }

    private static Path png(Settings s, String name, BufferedImage image) throws IOException {
        Path p = s.out().resolve(name);
        Charts.save(image, p);
        return p;
    }

    /** The mean test rSum of {@code which} epoch of each label against {@code x}, with one-sd error bars. */
    static BufferedImage rsumAgainst(List<Outcome> outcomes, Function<Outcome, Double> x,
                                     Function<Outcome, RecallSummary> which, String xTitle, String title, boolean logX) {
        Map<String, List<List<Outcome>>> byLabel = new LinkedHashMap<>();
        for (List<Outcome> g : Tables.groups(outcomes).values()) {
            byLabel.computeIfAbsent(g.get(0).arm().label(), k -> new ArrayList<>()).add(g);
        }
        Map<String, Charts.Series> series = new LinkedHashMap<>();
        for (Map.Entry<String, List<List<Outcome>>> e : byLabel.entrySet()) {
            List<List<Outcome>> gs = new ArrayList<>(e.getValue());
            gs.sort((a, b) -> Double.compare(x.apply(a.get(0)), x.apply(b.get(0))));
            double[] xs = new double[gs.size()];
            double[] ys = new double[gs.size()];
            double[] es = new double[gs.size()];
            for (int k = 0; k < gs.size(); k++) {
                double[] m = Tables.stats(gs.get(k), o -> which.apply(o).rsum());
                xs[k] = x.apply(gs.get(k).get(0));
                ys[k] = m[0];
                es[k] = m[1];
            }
            series.put(e.getKey(), new Charts.Series(xs, ys, es));
        }
        return Charts.lines(title, xTitle, "test rSum", series, logX, true);
    }

    /** Validation i2t R@1, t2i R@1 and rSum per epoch, mean over seeds, one line per group. */
    static BufferedImage curves(List<Outcome> outcomes, String suffix) {
        List<BufferedImage> panels = new ArrayList<>();
        String[] titles = {"Image to text: validation R@1", "Text to image: validation R@1", "Validation rSum"};
        List<Function<RecallSummary, Double>> values = List.of(RecallSummary::i2tR1, RecallSummary::t2iR1,
                RecallSummary::rsum);
        for (int k = 0; k < titles.length; k++) {
            Map<String, Charts.Series> series = new LinkedHashMap<>();
            for (List<Outcome> g : Tables.groups(outcomes).values()) {
                int epochs = g.stream().mapToInt(o -> o.curve().size()).min().orElse(0);
                double[] xs = new double[epochs];
                double[] ys = new double[epochs];
                for (int e = 0; e < epochs; e++) {
                    xs[e] = e + 1;
                    for (Outcome o : g) {
                        ys[e] += values.get(k).apply(o.curve().get(e).validation()) / g.size();
                    }
                }
                series.put(g.get(0).arm().group(), new Charts.Series(xs, ys, null));
            }
            panels.add(Charts.lines(titles[k] + suffix, "epoch", k < 2 ? "R@1 (%)" : "rSum", series, false, false));
        }
        return Charts.grid(panels, 3);
    }

    // ---- similarities (Figure 4) -----------------------------------------------------------------

    record Similarities(List<String> labels, List<double[][]> values) {

        String table() {
            StringBuilder b = new StringBuilder("| method | true positives (train) | false positives (train) |"
                    + " positives (validation) | negatives (validation) |\n|---|---:|---:|---:|---:|\n");
            for (int k = 0; k < labels.size(); k++) {
                b.append("| ").append(labels.get(k));
                for (double[] v : values.get(k)) {
                    b.append(String.format(Locale.ROOT, " | %.3f", mean(v)));
                }
                b.append(" |\n");
            }
            return String.format(Locale.ROOT, "Mean cosine similarity of each kind of pair (mismatch %.1f, the best validation epoch's model):%n%n", RATE) + b;
        }

        BufferedImage picture() {
            List<BufferedImage> panels = new ArrayList<>();
            for (int k = 0; k < labels.size(); k++) {
                double[][] v = values.get(k);
                Map<String, Charts.Series> a = new LinkedHashMap<>();
                double[] range = range(v);
                a.put("true positive pairs", Charts.histogram(v[0], range[0], range[1], 50));
                a.put("false positive pairs (mismatched)", Charts.histogram(v[1], range[0], range[1], 50));
                String when = String.format(Locale.ROOT, " (mismatch %.1f, best epoch)", RATE);
                panels.add(Charts.lines(labels.get(k) + ": training pairs" + when, "cosine similarity", "density", a,
                        range[0], range[1]));
                Map<String, Charts.Series> b = new LinkedHashMap<>();
                b.put("positive pairs", Charts.histogram(v[2], range[0], range[1], 50));
                b.put("negative pairs", Charts.histogram(v[3], range[0], range[1], 50));
                panels.add(Charts.lines(labels.get(k) + ": validation pairs" + when, "cosine similarity", "density", b,
                        range[0], range[1]));
            }
            return Charts.grid(panels, 2);
        }
    }

    /** The tenths that enclose every value of every kind (cosines: within [-1, 1]). */
    static double[] range(double[][] kinds) {
        double lo = 1;
        double hi = -1;
        for (double[] v : kinds) {
            for (double x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        return new double[] {Math.max(-1, Math.floor(lo * 10) / 10), Math.min(1, Math.ceil(hi * 10) / 10)};
    }

    static Similarities similarities(Dataset data, List<Outcome> outcomes) throws IOException {
        List<String> labels = new ArrayList<>();
        List<double[][]> values = new ArrayList<>();
        Split train = data.split("train");
        Split dev = data.split("dev");
        for (Outcome o : outcomes) {
            TwoTower m = TrainedModel.load(o.folder(), "run").model();
            Mismatch.Injection inj = NoiseIndex.read(o.folder().resolve(TrainingRun.NOISE_L2RM), train, o.folder()
                    .toString());
            int d = m.embed();
            double[] ie = m.encodeImages(train.images());
            double[] ce = m.encodeCaptions(train.captions());
            boolean[] clean = inj.cleanMask(train);
            List<Double> tp = new ArrayList<>();
            List<Double> fp = new ArrayList<>();
            for (int p = 0; p < clean.length; p++) {
                double s = dot(ie, inj.pairImage()[p], ce, train.pairCaption()[p], d);
                (clean[p] ? tp : fp).add(s);
            }
            double[] sims = TwoTower.similarities(m.encodeImages(dev.images()), dev.imageCount(),
                    m.encodeCaptions(dev.captions()), dev.captionCount(), d);
            List<Double> pos = new ArrayList<>();
            List<Double> neg = new ArrayList<>();
            for (int i = 0; i < dev.imageCount(); i++) {
                for (int j = 0; j < dev.captionCount(); j++) {
                    (dev.imageIds()[i] == dev.captionIds()[j] ? pos : neg).add(sims[i * dev.captionCount() + j]);
                }
            }
            labels.add(o.arm().group());
            values.add(new double[][] {array(tp), array(fp), array(pos), array(neg)});
        }
        return new Similarities(labels, values);
    }

    // ---- L2RM's diagnostics and one plan ---------------------------------------------------------

    static String diagnosticsTable(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder("Last epoch, against the injected truth (mean over seeds):\n\n"
                + "| method | split precision | split recall | pairs called clean | rematch precision |"
                + " rematch ceiling |\n|---|---:|---:|---:|---:|---:|\n");
        for (List<Outcome> g : Tables.groups(outcomes).values()) {
            b.append("| ").append(g.get(0).arm().group());
            for (String k : List.of("split_precision", "split_recall", "split_clean_share", "rematch_precision",
                    "rematch_ceiling")) {
                double[] m = Tables.stats(g, o -> o.curve().get(o.curve().size() - 1).diagnostics().getOrDefault(k, 0.0));
                b.append(String.format(Locale.ROOT, " | %.3f", m[0]));
            }
            b.append(" |\n");
        }
        return b.toString();
    }

    static BufferedImage diagnostics(List<Outcome> outcomes) {
        List<BufferedImage> panels = new ArrayList<>();
        for (List<Outcome> g : Tables.groups(outcomes).values()) {
            Map<String, Charts.Series> series = new LinkedHashMap<>();
            for (String k : List.of("split_precision", "split_recall", "rematch_precision")) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                int epochs = g.stream().mapToInt(o -> o.curve().size()).min().orElse(0);
                for (int e = 0; e < epochs; e++) {
                    final int at = e;
                    if (g.stream().allMatch(o -> o.curve().get(at).diagnostics().containsKey(k))) {
                        xs.add(e + 1.0);
                        ys.add(Tables.stats(g, o -> o.curve().get(at).diagnostics().get(k))[0]);
                    }
                }
                if (!xs.isEmpty()) {
                    series.put(k.replace('_', ' '), new Charts.Series(array(xs), array(ys), null));
                }
            }
            if (series.isEmpty()) {
                series.put("(warm-up only: no split yet)", new Charts.Series(new double[] {1}, new double[] {0}, null));
            }
            panels.add(Charts.lines(g.get(0).arm().group() + ": split and rematch against the truth", "epoch",
                    "share", series, false, true));
        }
        return Charts.grid(panels, 2);
    }

    record Plan(BufferedImage picture, String caption) {
    }

    /**
     * The learned rematching of the run's last epoch on one batch built so that the true partners
     * are in it: captions are taken along the cycles of the image permutation, so the image each
     * mismatched caption belongs to is the given image of another pair of the batch.
     */
    static Plan plan(Dataset data, Outcome o) throws IOException {
        Path pointer = o.folder().resolve(TrainingRun.POINTER);
        JsonFields p = new JsonFields(Json.parseObject(Files.readString(pointer), pointer.toString()),
                pointer.toString());
        Path last = o.folder().resolve(p.string("last"));
        TrainedModel tm = TrainedModel.load(last, "run");
        Rematching rematching = L2rmTrainer.learned(tm.config(), Checkpoint.read(last));
        Split train = data.split("train");
        Mismatch.Injection inj = NoiseIndex.read(o.folder().resolve(TrainingRun.NOISE_RCL), train,
                o.folder().toString());
        int b = tm.config().batch();
        int[] map = inj.imageMap();
        int[] inverse = new int[map.length];
        for (int i = 0; i < map.length; i++) {
            inverse[map[i]] = i;
        }
        int[] captionOf = new int[train.imageCount()];
        java.util.Arrays.fill(captionOf, -1);
        for (int q = 0; q < train.pairCount(); q++) {
            if (captionOf[train.pairImage()[q]] < 0) {
                captionOf[train.pairImage()[q]] = train.pairCaption()[q];
            }
        }
        int[] rows = new int[b];
        int[] cols = new int[b];
        boolean[] used = new boolean[map.length];
        int filled = 0;
        SplittableRandom random = new SplittableRandom(o.arm().seed());
        int cleanWanted = (int) Math.round(b * (1 - inj.realisedRate()));
        for (int start = random.nextInt(map.length), tries = 0; filled < b - cleanWanted && tries < map.length;
             start = (start + 1) % map.length, tries++) {
            if (used[start] || train.imageIds()[map[start]] == train.imageIds()[start]) {
                continue;
            }
            for (int t = start; !used[t] && filled < b - cleanWanted; t = inverse[t]) {
                used[t] = true;                  // caption of true image t, given image map[t]
                rows[filled] = map[t];
                cols[filled] = captionOf[t];
                filled++;
            }
        }
        for (int t = random.nextInt(map.length), tries = 0; filled < b && tries < 4 * map.length;
             t = (t + 7919) % map.length, tries++) {
            if (!used[t] && map[t] == t) {
                used[t] = true;
                rows[filled] = t;
                cols[filled] = captionOf[t];
                filled++;
            }
        }
        int n = filled;
        int shown = Math.min(48, n);       // the top-left block: the first cycles, readable cell by cell
        for (int t = shown - 1; t > 0; t--) {   // shuffle the block's pairs, or the partners form a neat band
            int pick = random.nextInt(t + 1);
            int r0 = rows[t];
            int c0 = cols[t];
            rows[t] = rows[pick];
            cols[t] = cols[pick];
            rows[pick] = r0;
            cols[pick] = c0;
        }
        double[] scores = new double[n * n];
        tm.model().scores(train.images(), rows, n, train.captions(), cols, n, scores);
        if (n != b) {
            throw new IllegalStateException("could not fill a batch of " + b + " pairs");
        }
        Rematching.Result r = rematching.rematch(DMatrixRMaj.wrap(n, n, scores));
        DMatrixRMaj plan = r.plan();
        double[] block = new double[shown * shown];
        boolean[] marked = new boolean[shown * shown];
        double onTruth = 0;
        double total = 0;
        int wrong = 0;
        int found = 0;
        for (int i = 0; i < n; i++) {
            long id = train.imageIds()[rows[i]];
            for (int j = 0; j < n; j++) {
                double v = plan.get(i, j);
                boolean partner = i != j && train.captionIds()[cols[j]] == id;
                total += i != j ? v : 0;
                onTruth += partner ? v : 0;
                if (i < shown && j < shown) {
                    block[i * shown + j] = v;
                    marked[i * shown + j] = partner;
                }
            }
            if (train.captionIds()[cols[i]] != id) {
                wrong++;
                found += r.proposals()[i] >= 0 && train.captionIds()[cols[r.proposals()[i]]] == id ? 1 : 0;
            }
        }
        String caption = String.format(Locale.ROOT, "One batch of %d training pairs (%d mismatched, built along the"
                        + " permutation's cycles so that their true partners are in the batch): %.1f%% of the plan's"
                        + " mass lands on true partners; the largest entry of %d of the %d mismatched images' rows is"
                        + " a true partner. The picture shows the first %d rows and columns.",
                n, wrong, total > 0 ? 100 * onTruth / total : 0, found, wrong, shown);
        BufferedImage pic = Pictures.heatmap(o.arm().group() + ": the learned plan of one noisy batch", block, shown,
                shown, marked, String.format(Locale.ROOT, "Darker = more mass; orange = a true partner; grey = the"
                        + " given pair (masked). %.1f%% of the plan's mass lands on true partners.", total > 0 ? 100 * onTruth / total
                        : 0));
        return new Plan(pic, caption);
    }

    // ---- examples (Figures 6 and 8) ---------------------------------------------------------------

    static BufferedImage examples(EmojiDataset data, Outcome o, long seed) throws IOException {
        TwoTower m = TrainedModel.load(o.folder(), "run").model();
        Split test = data.split("test");
        List<EmojiDataset.Item> items = new ArrayList<>();
        for (EmojiDataset.Item it : data.items()) {
            if (it.split().equals("test")) {
                items.add(it);
            }
        }
        List<String> texts = new ArrayList<>();
        for (EmojiDataset.Text t : data.texts()) {
            if (data.items().get(t.item()).split().equals("test")) {
                texts.add(t.text());
            }
        }
        int v = data.vendors().size();
        int d = m.embed();
        double[] sims = TwoTower.similarities(m.encodeImages(test.images()), test.imageCount(),
                m.encodeCaptions(test.captions()), test.captionCount(), d);
        int nc = test.captionCount();
        SplittableRandom random = new SplittableRandom(seed);
        List<Pictures.ImageToTexts> i2t = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int row = random.nextInt(test.imageCount());
            int[] top = top(sims, row * nc, 1, nc, 3);
            List<String> ts = new ArrayList<>();
            List<Boolean> ok = new ArrayList<>();
            for (int j : top) {
                ts.add(texts.get(j));
                ok.add(test.captionIds()[j] == test.imageIds()[row]);
            }
            i2t.add(new Pictures.ImageToTexts(data.rendering(items.get(row / v).index(), row % v), ts, ok));
        }
        List<Pictures.TextToImages> t2i = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int col = random.nextInt(nc);
            int[] top = top(sims, col, nc, test.imageCount(), 3);
            List<int[]> ims = new ArrayList<>();
            List<Boolean> ok = new ArrayList<>();
            for (int i : top) {
                ims.add(data.rendering(items.get(i / v).index(), i % v));
                ok.add(test.imageIds()[i] == test.captionIds()[col]);
            }
            t2i.add(new Pictures.TextToImages(texts.get(col), ims, ok));
        }
        Split train = data.split("train");
        Mismatch.Injection inj = NoiseIndex.read(o.folder().resolve(TrainingRun.NOISE_L2RM), train,
                o.folder().toString());
        List<String> trainTexts = new ArrayList<>();
        for (EmojiDataset.Text t : data.texts()) {
            if (data.items().get(t.item()).split().equals("train")) {
                trainTexts.add(t.text());
            }
        }
        double[] ie = m.encodeImages(train.images());
        double[] ce = m.encodeCaptions(train.captions());
        boolean[] clean = inj.cleanMask(train);
        List<Pictures.Mismatched> mm = new ArrayList<>();
        for (int tries = 0; mm.size() < 3 && tries < 10 * clean.length; tries++) {
            int p = random.nextInt(clean.length);
            if (clean[p]) {
                continue;
            }
            int row = inj.pairImage()[p];
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < train.captionCount(); j++) {
                double s = dot(ie, row, ce, j, d);
                if (s > bestScore) {
                    bestScore = s;
                    best = j;
                }
            }
            long item = train.imageIds()[row];
            mm.add(new Pictures.Mismatched(data.rendering((int) item, row % v), trainTexts.get(train.pairCaption()[p]),
                    trainTexts.get(best), train.captionIds()[best] == item));
        }
        return Pictures.examples(o.arm().group() + String.format(Locale.ROOT, " trained at mismatch %.1f (seed %d,"
                + " best validation epoch %d): test R@1 %.1f%% image to text, %.1f%% text to image", o.arm().rate(),
                o.arm().seed(), o.bestEpoch(), o.testBest().i2tR1(), o.testBest().t2iR1()), i2t, t2i, mm);
    }

    /** The {@code k} indices of the largest of {@code count} values at {@code offset + t * stride} (ties to the first). */
    static int[] top(double[] values, int offset, int stride, int count, int k) {
        int[] best = new int[Math.min(k, count)];
        java.util.Arrays.fill(best, -1);
        for (int t = 0; t < count; t++) {
            double v = values[offset + t * stride];
            for (int r = 0; r < best.length; r++) {
                if (best[r] < 0 || v > values[offset + best[r] * stride]) {
                    System.arraycopy(best, r, best, r + 1, best.length - r - 1);
                    best[r] = t;
                    break;
                }
            }
        }
        return best;
    }

    private static double dot(double[] a, int i, double[] b, int j, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            s += a[i * d + c] * b[j * d + c];
        }
        return s;
    }

    private static double[] array(List<Double> l) {
        double[] a = new double[l.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = l.get(k);
        }
        return a;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }
}
