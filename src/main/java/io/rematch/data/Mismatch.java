package io.rematch.data;

import io.rematch.check.Checks;
import java.util.random.RandomGenerator;

/**
 * Injects partially mismatched pairs into a training split, with a seed, by either protocol of
 * the literature.
 *
 * <ul>
 *   <li>{@link Protocol#IMAGE}: a fraction \(r\) of the images, \(\lfloor r\,n_{images}\rfloor\),
 *   is drawn and permuted among themselves, and every pair of a drawn image takes its new image,
 *   so all k captions of an image move together. This is RCL's, DECL's and the noise-index files
 *   L2RM ships (RCL {@code data.py}: {@code noise_length = int(noise_ratio * im_len)}).</li>
 *   <li>{@link Protocol#CAPTION}: a fraction \(r\) of the pairs is drawn and their images are
 *   permuted among them, caption by caption (NCR's fallback when no index file is given). A
 *   wrong caption then usually keeps k - 1 correct siblings, so this protocol is easier.</li>
 * </ul>
 *
 * A random permutation leaves fixed points (on average one) and may swap two images of the same
 * item, so the <em>realised</em> rate, the share of pairs whose image has another id than their
 * caption, is slightly below \(r\); it is reported. The split's ids keep the true pairing, for
 * analysis only: trainers read {@link Split#pairImage()} and never the ids of training data.
 */
public final class Mismatch {

    /** Which units are shuffled. */
    public enum Protocol {
        /** Whole images with all their captions (RCL, DECL, L2RM's files). */
        IMAGE,
        /** Individual captions (NCR's fallback). */
        CAPTION;

        /** The command-line spelling. */
        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The protocol spelled {@code text} (any case), naming {@code option} otherwise. */
        public static Protocol parse(String option, String text) {
            for (Protocol p : values()) {
                if (p.spelling().equalsIgnoreCase(text)) {
                    return p;
                }
            }
            throw new IllegalArgumentException(option + " must be image or caption, got '" + text + "'");
        }
    }

    /**
     * The noisy pairing.
     *
     * @param pairImage     the image given with each pair's caption
     * @param imageMap      for {@link Protocol#IMAGE} and per-image noise indices, the image that
     *                      replaces each image (a permutation); {@code null} for the caption protocol
     * @param requestedRate the rate asked for (\(r\)), or NaN for a noise index read from a file
     * @param mismatched    pairs whose image has another id than their caption
     */
    public record Injection(int[] pairImage, int[] imageMap, double requestedRate, int mismatched) {

        /** The share of pairs that are really mismatched. */
        public double realisedRate() {
            return pairImage.length == 0 ? 0 : (double) mismatched / pairImage.length;
        }

        /** Whether pair {@code p} is correct (its image has its caption's id). */
        public boolean[] cleanMask(Split split) {
            boolean[] clean = new boolean[pairImage.length];
            for (int p = 0; p < clean.length; p++) {
                clean[p] = split.imageIds()[pairImage[p]] == split.captionIds()[split.pairCaption()[p]];
            }
            return clean;
        }
    }

    private Mismatch() {
    }

    /**
     * Shuffles a fraction {@code rate} of {@code split}'s images or pairs.
     *
     * @param rate in [0, 1)
     * @param random the injection's own stream
     * @throws IllegalArgumentException naming {@code mismatch} if the rate is out of range
     */
    public static Injection inject(Split split, double rate, Protocol protocol, RandomGenerator random) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("mismatch must be in [0, 1), got " + rate);
        }
        Checks.present("protocol", protocol);
        Checks.present("random", random);
        int[] pairImage = split.pairImage().clone();
        int[] imageMap = null;
        if (protocol == Protocol.IMAGE) {
            int n = split.imageCount();
            imageMap = identity(n);
            int[] drawn = drawSubset(n, (int) (rate * n), random);
            int[] moved = permuted(drawn, random);
            for (int t = 0; t < drawn.length; t++) {
                imageMap[drawn[t]] = moved[t];
            }
            for (int p = 0; p < pairImage.length; p++) {
                pairImage[p] = imageMap[pairImage[p]];
            }
        } else {
            int[] drawn = drawSubset(pairImage.length, (int) (rate * pairImage.length), random);
            int[] images = new int[drawn.length];
            for (int t = 0; t < drawn.length; t++) {
                images[t] = pairImage[drawn[t]];
            }
            int[] moved = permuted(images, random);
            for (int t = 0; t < drawn.length; t++) {
                pairImage[drawn[t]] = moved[t];
            }
        }
        return new Injection(pairImage, imageMap, rate, countMismatched(split, pairImage));
    }

    /** The injection a given per-pair image index describes (for noise-index files). */
    static Injection of(Split split, int[] pairImage, int[] imageMap) {
        return new Injection(pairImage, imageMap, Double.NaN, countMismatched(split, pairImage));
    }

    static int countMismatched(Split split, int[] pairImage) {
        int bad = 0;
        for (int p = 0; p < pairImage.length; p++) {
            bad += split.imageIds()[pairImage[p]] != split.captionIds()[split.pairCaption()[p]] ? 1 : 0;
        }
        return bad;
    }

    /** {@code 0, 1, ..., n-1}. */
    public static int[] identityOrder(int n) {
        return identity(n);
    }

    static int[] identity(int n) {
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = i;
        }
        return id;
    }

    /** {@code count} distinct indices of {@code 0..n-1}, uniformly (a partial Fisher-Yates shuffle). */
    private static int[] drawSubset(int n, int count, RandomGenerator random) {
        int[] all = identity(n);
        for (int t = 0; t < count; t++) {
            int pick = t + random.nextInt(n - t);
            int tmp = all[t];
            all[t] = all[pick];
            all[pick] = tmp;
        }
        return java.util.Arrays.copyOf(all, count);
    }

    /** A uniformly random permutation of {@code values} (Fisher-Yates), as a new array. */
    private static int[] permuted(int[] values, RandomGenerator random) {
        int[] out = values.clone();
        for (int t = out.length - 1; t > 0; t--) {
            int pick = random.nextInt(t + 1);
            int tmp = out[t];
            out[t] = out[pick];
            out[pick] = tmp;
        }
        return out;
    }
}
