package io.rematch.split;

import io.rematch.check.Checks;

/**
 * The clean/noisy split of the training pairs by their per-pair loss: L2RM's division step
 * (Han et al., CVPR 2024, Section 3.1; release {@code main_L2RM.py} commit a766c22,
 * {@code split_data_by_loss} and {@code BMM_pred}), with NCR's Gaussian mixture as the alternative.
 *
 * <ol>
 *   <li>Per-pair losses \(\ell_i\) (L2RM: the triplet loss of each pair against its sequential
 *       batch, mean form, both directions: {@link io.rematch.loss.TripletRankingLoss#perPairLoss}).</li>
 *   <li>Min-max normalisation \(x_i = (\ell_i - \min\ell)/(\max\ell - \min\ell) \in [0, 1]\): the
 *       split is therefore invariant to \(\ell \mapsto a\ell + b\), \(a > 0\).</li>
 *   <li>{@link Method#BETA}: clamp to \([10^{-3}, 1 - 10^{-3}]\) (a Beta density is 0 or infinite
 *       at the ends) and fit a {@link BetaMixture} ({@link BetaMixture.Settings#l2rm()}).
 *       The release replaces only values \(\ge 1\) by \(1 - 10^{-3}\) and \(\le 0\) by \(10^{-3}\)
 *       (i.e. the maximum and the minimum), leaving values in \((0, 10^{-3})\) as they are; this
 *       clamps all of them, which differs only for losses within \(10^{-3}\) of the extremes.
 *       {@link Method#GAUSSIAN}: fit a {@link GaussianMixture} to the unclamped \(x\)
 *       ({@link GaussianMixture.Settings#ncr()}), as NCR.</li>
 *   <li>The clean component is the one with the lower mean (clean pairs have small losses).
 *       The release picks the component with the larger posterior at \(x = 10^{-3}\); the two rules
 *       agree unless a component with the higher mean has a density that diverges at 0
 *       (\(\alpha &lt; 1\)) while the lower-mean one vanishes there, a fit this rule does not let
 *       decide which pairs are clean.</li>
 *   <li>Output: the clean posterior \(P(\text{clean}\mid x_i)\) of each pair and the split
 *       \(P > 0.5\), as the release ({@code pred = prob > 0.5}).</li>
 * </ol>
 */
public final class CleanNoisySplit {

    /** The release's clamp of the normalised losses before the Beta fit ({@code 10e-4}). */
    public static final double BETA_CLAMP = 1e-3;

    /** Which mixture models the normalised losses. */
    public enum Method {
        /** Two Betas, EM with a weighted method-of-moments M-step (L2RM). */
        BETA,
        /** Two Gaussians, EM (NCR). */
        GAUSSIAN
    }

    /**
     * The split.
     *
     * @param normalised     the values the mixture was fitted to (min-max normalised; clamped for BETA)
     * @param cleanPosterior \(P(\text{clean} \mid x_i) \in [0, 1]\) per pair
     * @param clean          {@code cleanPosterior > 0.5} per pair
     * @param model          the fitted mixture
     * @param cleanComponent the index (0 or 1) of the clean component in {@code model}
     */
    public record Result(double[] normalised, double[] cleanPosterior, boolean[] clean,
                         TwoComponentMixture model, int cleanComponent) {

        /** The number of pairs judged clean. */
        public int cleanCount() {
            int c = 0;
            for (boolean b : clean) {
                c += b ? 1 : 0;
            }
            return c;
        }
    }

    private CleanNoisySplit() {
    }

    /** Splits with the method's default settings (L2RM's for BETA, NCR's for GAUSSIAN). */
    public static Result split(double[] losses, Method method) {
        if (method == null) {
            throw new IllegalArgumentException("method is missing");
        }
        return method == Method.BETA ? split(losses, BetaMixture.Settings.l2rm()) : split(losses, GaussianMixture.Settings.ncr());
    }

    /** Splits with a Beta mixture (L2RM). */
    public static Result split(double[] losses, BetaMixture.Settings settings) {
        double[] x = normalise(losses);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min(Math.max(x[i], BETA_CLAMP), 1 - BETA_CLAMP);
        }
        return result(x, BetaMixture.fit(x, settings));
    }

    /** Splits with a Gaussian mixture (NCR). */
    public static Result split(double[] losses, GaussianMixture.Settings settings) {
        double[] x = normalise(losses);
        return result(x, GaussianMixture.fit(x, settings));
    }

    /**
     * \((\ell_i - \min\ell)/(\max\ell - \min\ell)\), a new array.
     *
     * @throws IllegalArgumentException naming {@code losses} if it has NaN or infinite values,
     *                                  fewer than two values, or all values equal
     */
    public static double[] normalise(double[] losses) {
        Checks.finite("losses", losses);
        Mixtures.checkSplittable("losses", losses);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : losses) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double range = hi - lo;
        if (!(range > 0) || Double.isInfinite(range)) {
            throw new IllegalArgumentException("losses span " + lo + " to " + hi + ", which cannot be normalised");
        }
        double[] x = new double[losses.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min((losses[i] - lo) / range, 1.0);
        }
        return x;
    }

    private static Result result(double[] x, TwoComponentMixture model) {
        int cleanComponent = model.mean(0) <= model.mean(1) ? 0 : 1;
        double[] posterior = model.posterior(cleanComponent, x);
        boolean[] clean = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            clean[i] = posterior[i] > 0.5;
        }
        return new Result(x, posterior, clean, model, cleanComponent);
    }
}
