package io.rematch.loss;

import io.rematch.mask.PairMask;
import io.rematch.numeric.RestorableRandom;

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
 * The random kinds draw a fresh mask for every batch from a seeded {@link RestorableRandom}, so
 * a run is reproducible from its seed, and a checkpoint that saves {@link #state()} resumes the
 * same sequence of masks after {@link #restore(long)}. Instances holding a generator are not
 * thread-safe.
 */
public final class Negatives {

    private final String description;
    private final double ratio;          // > 0: random fraction; 0: single; < 0: all
    private final RestorableRandom random;
    private final PairMask fixed;

    private Negatives(String description, double ratio, RestorableRandom random, PairMask fixed) {
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
        return new Negatives("ratio:" + ratio, ratio, new RestorableRandom(seed), null);
    }

    /** One random negative per anchor (negative learning). */
    public static Negatives single(long seed) {
        return new Negatives("single", 0, new RestorableRandom(seed), null);
    }

    /**
     * A fixed mask, used as given: square, and off the diagonal (a given pair cannot be its own
     * negative).
     */
    public static Negatives fixed(PairMask mask) {
        if (mask == null) {
            throw new IllegalArgumentException("mask is missing");
        }
        if (mask.rows() != mask.cols()) {
            throw new IllegalArgumentException("mask must be square (N x N, one row per anchor), got "
                    + mask.rows() + " x " + mask.cols());
        }
        for (int i = 0; i < mask.rows(); i++) {
            if (mask.contains(i, i)) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "mask[%d,%d] is 1: the diagonal (the given pairs) cannot be a negative", i, i));
            }
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

    /** Whether the masks are random draws (ratio, single): then {@link #state()} matters. */
    public boolean isRandom() {
        return random != null;
    }

    /**
     * The state of the random stream (for a checkpoint); 0 for the kinds that draw nothing.
     */
    public long state() {
        return random == null ? 0L : random.state();
    }

    /** Continues the random stream from a {@link #state()} saved earlier (no effect for the other kinds). */
    public void restore(long state) {
        if (random != null) {
            random.restore(state);
        }
    }

    /**
     * The mask for a batch of {@code n} pairs (a fresh random draw for the random kinds).
     *
     * @throws IllegalArgumentException if a fixed mask is not {@code n x n}, or a ratio leaves no
     *                                  negative at this batch size
     */
    public PairMask draw(int n) {
        if (fixed != null) {
            if (fixed.rows() != n) {
                throw new IllegalArgumentException("mask is " + fixed.rows() + " x " + fixed.cols()
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
        return PairMask.of(n, n, drawRows(n, perRow));
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
