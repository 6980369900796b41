package io.rematch.loss;

import java.util.SplittableRandom;

/**
 * How the complementary labels (the negatives of each anchor) are chosen for a batch of N pairs.
 *
 * <ul>
 *   <li>{@link #all()}: every \(j \ne i\), \(|\bar{\mathbf Y}| = N - 1\): RCL's choice (Section
 *       3.3, "all negatives", motivated by Brownian motion).</li>
 *   <li>{@link #ratio(double, long)}: a uniformly random subset of \(\lfloor rN \rfloor\)
 *       negatives per row, as the release's {@code ratio} option ({@code int(ratio * n)} per
 *       row, the same mask for both directions). A ratio that leaves no negative for the
 *       batch size (\(\lfloor rN \rfloor = 0\)) is refused rather than silently giving a zero loss.</li>
 *   <li>{@link #single(long)}: one random negative per row: classic negative learning (NL).</li>
 *   <li>{@link #fixed(PairMask)}: an explicit mask, used as given for every batch.</li>
 * </ul>
 * The random kinds draw a fresh mask for every batch from a seeded generator, so a run is
 * reproducible from its seed. Instances holding a generator are not thread-safe.
 */
public final class Negatives {

    private final String description;
    private final double ratio;          // > 0: random fraction; 0: single; < 0: all
    private final SplittableRandom random;
    private final PairMask fixed;

    private Negatives(String description, double ratio, SplittableRandom random, PairMask fixed) {
        this.description = description;
        this.ratio = ratio;
        this.random = random;
        this.fixed = fixed;
    }

    /** All N-1 in-batch negatives of every anchor. */
    public static Negatives all() {
        return new Negatives("all", -1, null, null);
    }

    /**
     * A random \(\lfloor \text{ratio} \cdot N \rfloor\) negatives per anchor.
     *
     * @param ratio in (0, 1)
     * @param seed  seed of the generator that draws the masks
     */
    public static Negatives ratio(double ratio, long seed) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("negatives ratio must be in (0, 1), got " + ratio);
        }
        return new Negatives("ratio:" + ratio, ratio, new SplittableRandom(seed), null);
    }

    /** One random negative per anchor (negative learning). */
    public static Negatives single(long seed) {
        return new Negatives("single", 0, new SplittableRandom(seed), null);
    }

    /** A fixed mask, used as given. */
    public static Negatives fixed(PairMask mask) {
        if (mask == null) {
            throw new IllegalArgumentException("mask is missing");
        }
        return new Negatives("mask", -1, null, mask);
    }

    /**
     * Parses the command-line form {@code all}, {@code ratio:R} or {@code single}.
     *
     * @param spec the option value
     * @param seed seed for the random kinds
     */
    public static Negatives parse(String spec, long seed) {
        if (spec == null) {
            throw new IllegalArgumentException("--negatives is missing; expected 'all', 'ratio:R' or 'single'");
        }
        if (spec.equals("all")) {
            return all();
        }
        if (spec.equals("single")) {
            return single(seed);
        }
        if (spec.startsWith("ratio:")) {
            double r;
            try {
                r = Double.parseDouble(spec.substring("ratio:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--negatives ratio:R needs a number R in (0, 1), got '" + spec + "'");
            }
            if (!(r > 0 && r < 1)) {
                throw new IllegalArgumentException("--negatives ratio:R needs R in (0, 1), got " + r);
            }
            return ratio(r, seed);
        }
        throw new IllegalArgumentException(
                "--negatives must be 'all', 'ratio:R' with R in (0, 1), or 'single', got '" + spec + "'");
    }

    /** Whether every anchor uses all N-1 negatives. */
    public boolean isAll() {
        return random == null && fixed == null;
    }

    /** The mask for a batch of {@code n} pairs (a fresh random draw for the random kinds). */
    public PairMask draw(int n) {
        if (fixed != null) {
            if (fixed.size() != n) {
                throw new IllegalArgumentException("mask is " + fixed.size() + " x " + fixed.size()
                        + " but the scores are " + n + " x " + n);
            }
            return fixed;
        }
        if (random == null) {
            return PairMask.offDiagonal(n);
        }
        int perRow = ratio > 0 ? (int) (ratio * n) : Math.min(1, n - 1);
        if (ratio > 0 && perRow == 0) {
            throw new IllegalArgumentException("negatives ratio:" + ratio + " gives floor(" + ratio + " x " + n
                    + ") = 0 negatives per anchor for a batch of " + n + "; use a ratio >= " + (1.0 / n)
                    + " or 'single'");
        }
        return PairMask.ofSelection(n, drawRows(n, perRow));
    }

    /** For each row a uniform random {@code k}-subset of the off-diagonal columns (partial Fisher-Yates). */
    private boolean[] drawRows(int n, int k) {
        boolean[] sel = new boolean[n * n];
        int[] candidates = new int[Math.max(n - 1, 0)];
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    candidates[c++] = j;
                }
            }
            for (int t = 0; t < k; t++) {
                int pick = t + random.nextInt(c - t);
                int tmp = candidates[t];
                candidates[t] = candidates[pick];
                candidates[pick] = tmp;
                sel[i * n + candidates[t]] = true;
            }
        }
        return sel;
    }

    @Override
    public String toString() {
        return description;
    }
}
