package io.rematch.data;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The official noise-index files, read and written in both formats.
 *
 * <ul>
 *   <li><b>RCL</b> ({@code noise_inx_{r}.npy}, penghu-cs/RCL): int64, one entry per image, a
 *   permutation of the images; caption {@code j} is trained with image {@code inx[j / k]}. In
 *   the general form (pairs file) pair {@code p} gets {@code inx[pairImage[p]]}.</li>
 *   <li><b>L2RM</b> ({@code {data}_{r}.npy}, hhc1997/L2RM): int64, one entry per caption (per
 *   pair), the image it is trained with. For image-level noise it is the RCL index repeated k
 *   times (the F30K 0.2 file is exactly that).</li>
 * </ul>
 *
 * {@link #read} tells the formats apart by length: one entry per image is RCL's, one per pair
 * L2RM's. When the two counts are equal (one caption per image, as CC152K) both readings give the
 * same pairs in the {@code precomp} form.
 */
public final class NoiseIndex {

    /** The two layouts. */
    public enum Format {
        /** One image index per image: a permutation. */
        RCL,
        /** One image index per caption (pair). */
        L2RM
    }

    private NoiseIndex() {
    }

    /**
     * Reads a noise index for {@code split} and returns the pairing it describes.
     *
     * @param option how messages name the file (e.g. {@code --noise-index})
     * @throws IllegalArgumentException naming {@code option} if the file does not exist, its length matches neither
     *                                  the images nor the pairs, an entry is not a whole number in
     *                                  range, or an RCL index is not a permutation
     */
    public static Mismatch.Injection read(Path path, Split split, String option) throws IOException {
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new IllegalArgumentException(option + " " + path + (java.nio.file.Files.exists(path)
                    ? " is not a file" : " does not exist") + "; expected a noise-index .npy file (RCL's noise_inx"
                    + " or L2RM's format)");
        }
        NpyArray a = Npy.read(path);
        if (a.rank() != 1) {
            throw new IllegalArgumentException(option + " must be a vector (one image index per image, RCL's format,"
                    + " or per caption, L2RM's), got shape " + NpyArray.shapeText(a.shape()));
        }
        return apply(a.data(), split, option);
    }

    /** The pairing that the index {@code values} describes; see {@link #read}. */
    public static Mismatch.Injection apply(double[] values, Split split, String option) {
        int n = split.imageCount();
        int pairs = split.pairCount();
        if (values.length != n && values.length != pairs) {
            throw new IllegalArgumentException(option + " has " + values.length + " entries; expected " + n
                    + " (one per image, RCL's noise_inx format) or " + pairs
                    + " (one per caption, L2RM's format) for the " + split.name() + " split");
        }
        int[] index = new int[values.length];
        for (int t = 0; t < values.length; t++) {
            double v = values[t];
            if (!(v >= 0 && v < n) || v != Math.rint(v)) {
                throw new IllegalArgumentException(option + "[" + t + "] is " + (v == Math.rint(v) && Math.abs(v) < 1e15
                        ? Long.toString((long) v) : Double.toString(v)) + "; expected an image index"
                        + " in [0, " + n + ")");
            }
            index[t] = (int) v;
        }
        if (values.length == n) {
            boolean[] seen = new boolean[n];
            for (int t = 0; t < n; t++) {
                if (seen[index[t]]) {
                    throw new IllegalArgumentException(option + " has one entry per image (RCL's format) but is not a"
                            + " permutation of the images: image " + index[t] + " appears twice (again at entry "
                            + t + ")");
                }
                seen[index[t]] = true;
            }
            int[] pairImage = new int[pairs];
            for (int p = 0; p < pairs; p++) {
                pairImage[p] = index[split.pairImage()[p]];
            }
            return Mismatch.of(split, pairImage, index);
        }
        return Mismatch.of(split, index, null);
    }

    /**
     * Writes {@code injection} in {@code format} (int64, atomically).
     *
     * @throws IllegalArgumentException for the RCL format when the injection did not move whole
     *                                  images (the caption protocol)
     */
    public static void write(Path path, Mismatch.Injection injection, Format format) throws IOException {
        int[] values;
        if (format == Format.RCL) {
            if (injection.imageMap() == null) {
                throw new IllegalArgumentException("RCL's noise-index format holds one image per image, which the"
                        + " caption protocol does not have; write the L2RM format instead");
            }
            values = injection.imageMap();
        } else {
            values = injection.pairImage();
        }
        double[] data = new double[values.length];
        for (int t = 0; t < data.length; t++) {
            data[t] = values[t];
        }
        Npy.write(path, NpyArray.of(new int[] {data.length}, data, DType.INT64));
    }
}
