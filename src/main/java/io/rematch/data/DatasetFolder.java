package io.rematch.data;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A dataset folder in SCAN's {@code precomp} convention, or its general form with item ids.
 *
 * <p>Per split {@code s} of {@code train}, {@code dev}, {@code test} and (MS-COCO's 5K set)
 * {@code testall}:
 * <ul>
 *   <li>{@code s_ims.npy}: image features, {@code (n, d)} or {@code (n, regions, d)} (mean-pooled
 *   over the regions on load);</li>
 *   <li>captions as {@code s_caps.npy}, {@code (m, d_t)} vectors, or {@code s_caps.txt}, one caption
 *   per line, turned into {@link TfIdf} vectors over the training vocabulary;</li>
 *   <li>either nothing more: caption {@code j} belongs to image {@code j / k} with
 *   {@code k = m / n}, which must be whole ({@code precomp}); or {@code s_img_ids.npy} and
 *   {@code s_cap_ids.npy} (int64 item ids: a caption is correct for every image with its id) and,
 *   for training, {@code s_pairs.npy} ({@code (pairs, 2)}: image index, caption index).</li>
 * </ul>
 * float32 files are kept as float32 in memory. Every problem is reported with the file's name
 * and what was expected.
 */
public final class DatasetFolder implements Dataset {

    /** The split names, in the order they are usually read. */
    public static final List<String> SPLITS = List.of("train", "dev", "test", "testall");

    private final Path dir;
    private TfIdf vocabulary;

    private DatasetFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens a folder (reads nothing yet).
     *
     * @param option how messages name the folder, e.g. {@code --data}
     * @throws IllegalArgumentException naming {@code option} if the folder does not exist or holds
     *                                  no {@code train_ims.npy}, {@code dev_ims.npy} nor {@code test_ims.npy}
     */
    public static DatasetFolder open(Path dir, String option) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + (Files.exists(dir) ? " is not a folder"
                    : " does not exist") + "; expected a dataset folder: {train,dev,test}_ims.npy with"
                    + " {train,dev,test}_caps.npy or _caps.txt (docs/data.md), or an emoji set: items.tsv, texts.tsv"
                    + " and images-VENDOR.png (data-small/emoji)");
        }
        DatasetFolder f = new DatasetFolder(dir);
        if (SPLITS.stream().noneMatch(f::has)) {
            throw new IllegalArgumentException(option + " " + dir + " holds no train_ims.npy, dev_ims.npy or"
                    + " test_ims.npy (docs/data.md), nor an emoji set's items.tsv and texts.tsv (data-small/emoji)");
        }
        return f;
    }

    @Override
    public Path dir() {
        return dir;
    }

    /** Whether the folder has split {@code name}'s image features. */
    @Override
    public boolean has(String name) {
        return Files.isRegularFile(dir.resolve(name + "_ims.npy"));
    }

    /**
     * Encodes text captions with {@code fixed} instead of a vocabulary built from the training
     * captions: the vocabulary a model was trained with.
     */
    @Override
    public void useVocabulary(TfIdf fixed) {
        this.vocabulary = fixed;
    }

    /**
     * The text vocabulary, built from {@code train_caps.txt} on first use, or {@code null} when
     * the captions are vectors.
     */
    @Override
    public TfIdf vocabulary() throws IOException {
        if (vocabulary == null && Files.isRegularFile(dir.resolve("train_caps.txt"))
                && !Files.isRegularFile(dir.resolve("train_caps.npy"))) {
            vocabulary = TfIdf.fit(readLines(dir.resolve("train_caps.txt")));
        }
        return vocabulary;
    }

    /**
     * Loads one split.
     *
     * @throws IllegalArgumentException naming the file when a file is missing, has the wrong shape
     *                                  or type, holds NaN, or the counts disagree
     */
    @Override
    public Split split(String name) throws IOException {
        if (!SPLITS.contains(name)) {
            throw new IllegalArgumentException("split must be one of " + String.join(", ", SPLITS) + ", got '"
                    + name + "'");
        }
        Path ims = dir.resolve(name + "_ims.npy");
        if (!Files.isRegularFile(ims)) {
            throw new IllegalArgumentException("the dataset " + dir + " has no " + name + " split: " + ims
                    + " does not exist");
        }
        Features images = readFeatures(ims, true);
        Features captions = readCaptions(name);
        Path imgIds = dir.resolve(name + "_img_ids.npy");
        Path capIds = dir.resolve(name + "_cap_ids.npy");
        boolean hasImg = Files.isRegularFile(imgIds);
        boolean hasCap = Files.isRegularFile(capIds);
        if (hasImg != hasCap) {
            throw new IllegalArgumentException(dir + " has " + (hasImg ? imgIds.getFileName() : capIds.getFileName())
                    + " but not " + (hasImg ? capIds.getFileName() : imgIds.getFileName())
                    + "; the general form needs both (int64 item ids)");
        }
        if (!hasImg) {
            int n = images.rows();
            int m = captions.rows();
            if (n == 0 || m % n != 0) {
                throw new IllegalArgumentException(name + ": " + m + " captions (" + captionFile(name)
                        + ") for " + n + " images (" + ims.getFileName() + ") is not a whole number of captions per"
                        + " image; caption j must belong to image j / k, or give " + name + "_img_ids.npy and "
                        + name + "_cap_ids.npy");
            }
            return Split.ofCaptionsPerImage(name, images, captions, m / n);
        }
        long[] imageIds = readIds(imgIds, images.rows(), ims.getFileName().toString());
        long[] captionIds = readIds(capIds, captions.rows(), captionFile(name));
        int[][] pairs = readPairs(name, images.rows(), captions.rows(), imageIds, captionIds);
        checkCovered(name, imageIds, captionIds);
        return new Split(name, images, captions, imageIds, captionIds, pairs[0], pairs[1], 0);
    }

    private String captionFile(String name) {
        return Files.isRegularFile(dir.resolve(name + "_caps.npy")) ? name + "_caps.npy" : name + "_caps.txt";
    }

    private Features readCaptions(String name) throws IOException {
        Path npy = dir.resolve(name + "_caps.npy");
        Path txt = dir.resolve(name + "_caps.txt");
        if (Files.isRegularFile(npy)) {
            return readFeatures(npy, false);
        }
        if (!Files.isRegularFile(txt)) {
            throw new IllegalArgumentException("the " + name + " split of " + dir + " has no captions: expected "
                    + npy.getFileName() + " (vectors) or " + txt.getFileName() + " (one caption per line)");
        }
        TfIdf v = vocabulary();
        if (v == null) {
            throw new IllegalArgumentException(txt + " needs a vocabulary: give train_caps.txt, or evaluate with the"
                    + " model that was trained on it");
        }
        return v.transform(readLines(txt));
    }

    private static List<String> readLines(Path txt) throws IOException {
        List<String> lines = Files.readAllLines(txt, StandardCharsets.UTF_8);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(txt + " is empty; expected one caption per line");
        }
        return lines;
    }

    /** Rank 2, or rank 3 mean-pooled over its middle axis (regions); floating point; finite. */
    static Features readFeatures(Path file, boolean regionsAllowed) throws IOException {
        DType type = Npy.dtype(file);
        int[] shape = Npy.shape(file);
        String what = file.getFileName().toString();
        if (type != DType.FLOAT32 && type != DType.FLOAT64) {
            throw new IllegalArgumentException(what + " holds " + type.name().toLowerCase() + "; features must be"
                    + " float32 or float64");
        }
        if (!(shape.length == 2 || (regionsAllowed && shape.length == 3)) || shape[shape.length - 1] == 0
                || shape[0] == 0 || (shape.length == 3 && shape[1] == 0)) {
            throw new IllegalArgumentException(what + " has shape " + NpyArray.shapeText(shape) + "; expected (n, d)"
                    + (regionsAllowed ? " or (n, regions, d)" : "") + " with every dimension at least 1");
        }
        Features f;
        if (type == DType.FLOAT32) {
            float[] v = Npy.readFloat32(file, new int[1][]);
            f = shape.length == 2 ? Features.ofFloats(shape[0], shape[1], v) : meanPooled(shape, v);
        } else {
            double[] v = Npy.read(file).data();
            if (shape.length == 2) {
                f = Features.ofDoubles(shape[0], shape[1], v);
            } else {
                double[] pooled = new double[shape[0] * shape[2]];
                pool(shape, k -> v[k], pooled);
                f = Features.ofDoubles(shape[0], shape[2], pooled);
            }
        }
        int bad = f.firstNonFiniteRow();
        if (bad >= 0) {
            throw new IllegalArgumentException(what + " row " + bad + " holds NaN or infinity; features must be finite");
        }
        return f;
    }

    private static Features meanPooled(int[] shape, float[] v) {
        double[] pooled = new double[shape[0] * shape[2]];
        pool(shape, k -> v[k], pooled);
        float[] out = new float[pooled.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) pooled[k];
        }
        return Features.ofFloats(shape[0], shape[2], out);
    }

    private static void pool(int[] shape, java.util.function.IntToDoubleFunction v, double[] out) {
        int regions = shape[1];
        int d = shape[2];
        for (int i = 0; i < shape[0]; i++) {
            for (int r = 0; r < regions; r++) {
                int base = (i * regions + r) * d;
                for (int c = 0; c < d; c++) {
                    out[i * d + c] += v.applyAsDouble(base + c);
                }
            }
            for (int c = 0; c < d; c++) {
                out[i * d + c] /= regions;
            }
        }
    }

    private static long[] readIds(Path file, int expected, String featureFile) throws IOException {
        NpyArray a = Npy.read(file);
        String what = file.getFileName().toString();
        if (a.rank() != 1 || a.shape()[0] != expected) {
            throw new IllegalArgumentException(what + " has shape " + NpyArray.shapeText(a.shape()) + "; expected ("
                    + expected + ",), one id per row of " + featureFile);
        }
        long[] ids = new long[expected];
        double[] d = a.data();
        for (int t = 0; t < expected; t++) {
            if (d[t] != Math.rint(d[t])) {
                throw new IllegalArgumentException(what + "[" + t + "] is " + d[t] + "; ids must be whole numbers"
                        + " (int64)");
            }
            ids[t] = (long) d[t];
        }
        return ids;
    }

    private int[][] readPairs(String name, int n, int m, long[] imageIds, long[] captionIds) throws IOException {
        Path file = dir.resolve(name + "_pairs.npy");
        if (!Files.isRegularFile(file)) {
            if (name.equals("train")) {
                throw new IllegalArgumentException("the general form needs train_pairs.npy ((pairs, 2): image index,"
                        + " caption index) in " + dir);
            }
            return firstImagePairs(imageIds, captionIds);
        }
        NpyArray a = Npy.read(file);
        String what = file.getFileName().toString();
        if (a.rank() != 2 || a.shape()[1] != 2 || a.shape()[0] == 0) {
            throw new IllegalArgumentException(what + " has shape " + NpyArray.shapeText(a.shape())
                    + "; expected (pairs, 2): image index, caption index");
        }
        int pairs = a.shape()[0];
        int[] im = new int[pairs];
        int[] cap = new int[pairs];
        double[] d = a.data();
        for (int p = 0; p < pairs; p++) {
            double i = d[2 * p];
            double j = d[2 * p + 1];
            if (!(i >= 0 && i < n && i == Math.rint(i)) || !(j >= 0 && j < m && j == Math.rint(j))) {
                throw new IllegalArgumentException(what + " row " + p + " is (" + whole(i) + ", " + whole(j)
                        + "); expected an image index in [0, " + n + ") and a caption index in [0, " + m + ")");
            }
            im[p] = (int) i;
            cap[p] = (int) j;
            if (imageIds[im[p]] != captionIds[cap[p]]) {
                throw new IllegalArgumentException(what + " row " + p + " pairs image " + im[p] + " (id "
                        + imageIds[im[p]] + ") with caption " + cap[p] + " (id " + captionIds[cap[p]]
                        + "); the pairs file must hold correct pairs: mismatches are injected, see --mismatch");
            }
        }
        return new int[][] {im, cap};
    }

    /** {@code v} as an integer when it is one (ids and indices read as doubles), else as a double. */
    private static String whole(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Without a pairs file (evaluation splits): each caption with the first image of its id. */
    private static int[][] firstImagePairs(long[] imageIds, long[] captionIds) {
        java.util.Map<Long, Integer> first = new java.util.HashMap<>();
        for (int i = imageIds.length - 1; i >= 0; i--) {
            first.put(imageIds[i], i);
        }
        List<int[]> pairs = new ArrayList<>();
        for (int j = 0; j < captionIds.length; j++) {
            Integer i = first.get(captionIds[j]);
            if (i != null) {
                pairs.add(new int[] {i, j});
            }
        }
        int[] im = new int[pairs.size()];
        int[] cap = new int[pairs.size()];
        for (int p = 0; p < im.length; p++) {
            im[p] = pairs.get(p)[0];
            cap[p] = pairs.get(p)[1];
        }
        return new int[][] {im, cap};
    }

    private static void checkCovered(String name, long[] imageIds, long[] captionIds) {
        java.util.Set<Long> img = new java.util.HashSet<>();
        for (long id : imageIds) {
            img.add(id);
        }
        java.util.Set<Long> cap = new java.util.HashSet<>();
        for (long id : captionIds) {
            cap.add(id);
        }
        for (int i = 0; i < imageIds.length; i++) {
            if (!cap.contains(imageIds[i])) {
                throw new IllegalArgumentException(name + "_img_ids.npy: image " + i + " has id " + imageIds[i]
                        + ", which no caption in " + name + "_cap_ids.npy has; every image needs a caption");
            }
        }
        for (int j = 0; j < captionIds.length; j++) {
            if (!img.contains(captionIds[j])) {
                throw new IllegalArgumentException(name + "_cap_ids.npy: caption " + j + " has id " + captionIds[j]
                        + ", which no image in " + name + "_img_ids.npy has; every caption needs an image");
            }
        }
    }

    /**
     * SHA-256 over the name, size and CRC-32C of every dataset file of the convention present in
     * the folder, as hex: a checkpoint records it, and a resumed run refuses another dataset.
     */
    @Override
    public String fingerprint() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
        List<String> names = new ArrayList<>();
        for (String s : SPLITS) {
            for (String suffix : List.of("_ims.npy", "_caps.npy", "_caps.txt", "_img_ids.npy", "_cap_ids.npy",
                    "_pairs.npy")) {
                if (Files.isRegularFile(dir.resolve(s + suffix))) {
                    names.add(s + suffix);
                }
            }
        }
        byte[] buf = new byte[1 << 16];
        for (String name : names) {
            CRC32C crc = new CRC32C();
            long size = 0;
            try (InputStream in = Files.newInputStream(dir.resolve(name))) {
                for (int got; (got = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, got);
                    size += got;
                }
            } catch (NoSuchFileException e) {
                continue;
            }
            sha.update((name + "\t" + size + "\t" + Long.toHexString(crc.getValue()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
