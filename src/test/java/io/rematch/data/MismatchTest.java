package io.rematch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.RestorableRandom;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both injection protocols, the realised rate, and both official noise-index formats. */
class MismatchTest {

    @TempDir
    Path tmp;

    static Split split(int images, int k) {
        return Split.ofCaptionsPerImage("train", Features.ofDoubles(images, 1, new double[images]),
                Features.ofDoubles(images * k, 1, new double[images * k]), k);
    }

    @Test
    void imageProtocolMovesAllCaptionsOfAnImageTogether() {
        Split s = split(1000, 5);
        Mismatch.Injection inj = Mismatch.inject(s, 0.6, Mismatch.Protocol.IMAGE, new RestorableRandom(7));
        int moved = 0;
        for (int i = 0; i < 1000; i++) {
            moved += inj.imageMap()[i] != i ? 1 : 0;
            for (int c = 0; c < 5; c++) {
                assertEquals(inj.imageMap()[i], inj.pairImage()[i * 5 + c], "caption " + c + " of image " + i);
            }
        }
        // floor(0.6 * 1000) images are drawn; a random permutation of them leaves about one fixed.
        assertTrue(moved <= 600 && moved >= 590, "moved " + moved);
        assertEquals(5 * moved, inj.mismatched());
        assertEquals(moved / 1000.0, inj.realisedRate(), 1e-15);
        assertTrue(isPermutation(inj.imageMap()));
    }

    @Test
    void captionProtocolMovesCaptionsOneByOne() {
        Split s = split(1000, 5);
        Mismatch.Injection inj = Mismatch.inject(s, 0.6, Mismatch.Protocol.CAPTION, new RestorableRandom(7));
        assertEquals(null, inj.imageMap());
        int splitImages = 0;   // images whose captions went different ways
        for (int i = 0; i < 1000; i++) {
            java.util.Set<Integer> targets = new java.util.HashSet<>();
            for (int c = 0; c < 5; c++) {
                targets.add(inj.pairImage()[i * 5 + c]);
            }
            splitImages += targets.size() > 1 ? 1 : 0;
        }
        assertTrue(splitImages > 900, "caption-level noise scatters the captions of an image: " + splitImages);
        // 3000 drawn pairs, shuffled: a few land on their own image (2 of 3000 on average... x5 per image).
        assertTrue(inj.mismatched() <= 3000 && inj.mismatched() > 2950, "mismatched " + inj.mismatched());
        // Each image is still given to exactly five captions: a permutation of the pairs' images.
        int[] count = new int[1000];
        for (int p : inj.pairImage()) {
            count[p]++;
        }
        for (int c : count) {
            assertEquals(5, c);
        }
    }

    @Test
    void rateZeroChangesNothingAndTheSeedDecides() {
        Split s = split(200, 5);
        assertArrayEquals(s.pairImage(), Mismatch.inject(s, 0, Mismatch.Protocol.IMAGE, new RestorableRandom(1)).pairImage());
        int[] a = Mismatch.inject(s, 0.5, Mismatch.Protocol.IMAGE, new RestorableRandom(1)).pairImage();
        int[] b = Mismatch.inject(s, 0.5, Mismatch.Protocol.IMAGE, new RestorableRandom(1)).pairImage();
        int[] c = Mismatch.inject(s, 0.5, Mismatch.Protocol.IMAGE, new RestorableRandom(2)).pairImage();
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void ratesOutsideTheUnitIntervalAreRefused() {
        Split s = split(10, 1);
        for (double r : new double[] {-0.1, 1.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Mismatch.inject(s, r, Mismatch.Protocol.IMAGE, new RestorableRandom(1)));
            assertTrue(e.getMessage().startsWith("mismatch must be in [0, 1)"), e.getMessage());
        }
    }

    @Test
    void bothNoiseIndexFormatsRoundTripAndL2rmsIsRclsRepeatedKTimes() throws IOException {
        Split s = split(300, 5);
        Mismatch.Injection inj = Mismatch.inject(s, 0.2, Mismatch.Protocol.IMAGE, new RestorableRandom(3));
        Path rcl = tmp.resolve("noise_inx_0.2.npy");
        Path l2rm = tmp.resolve("f30k_precomp_0.2.npy");
        NoiseIndex.write(rcl, inj, NoiseIndex.Format.RCL);
        NoiseIndex.write(l2rm, inj, NoiseIndex.Format.L2RM);
        double[] perImage = io.rematch.io.Npy.read(rcl).data();
        double[] perCaption = io.rematch.io.Npy.read(l2rm).data();
        assertEquals(io.rematch.io.DType.INT64, io.rematch.io.Npy.dtype(rcl));
        assertEquals(300, perImage.length);
        assertEquals(1500, perCaption.length);
        for (int j = 0; j < 1500; j++) {
            assertEquals(perImage[j / 5], perCaption[j], "caption " + j + ": inx[j / k]");
        }
        for (Path p : new Path[] {rcl, l2rm}) {
            Mismatch.Injection back = NoiseIndex.read(p, s, "--noise-index");
            assertArrayEquals(inj.pairImage(), back.pairImage(), p.getFileName().toString());
            assertEquals(inj.mismatched(), back.mismatched());
        }
        Mismatch.Injection caption = Mismatch.inject(s, 0.2, Mismatch.Protocol.CAPTION, new RestorableRandom(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseIndex.write(tmp.resolve("x.npy"), caption, NoiseIndex.Format.RCL));
        assertTrue(e.getMessage().contains("caption protocol"), e.getMessage());
    }

    @Test
    void badNoiseIndicesAreRefusedNamingTheOption() {
        Split s = split(4, 2);
        String wrongLength = assertThrows(IllegalArgumentException.class,
                () -> NoiseIndex.apply(new double[] {0, 1, 2}, s, "--noise-index")).getMessage();
        assertTrue(wrongLength.startsWith("--noise-index has 3 entries; expected 4") && wrongLength.contains("or 8"),
                wrongLength);
        String range = assertThrows(IllegalArgumentException.class,
                () -> NoiseIndex.apply(new double[] {0, 1, 2, 4}, s, "--noise-index")).getMessage();
        assertTrue(range.startsWith("--noise-index[3] is 4;"), range);
        String fraction = assertThrows(IllegalArgumentException.class,
                () -> NoiseIndex.apply(new double[] {0, 1, 2, 0.5}, s, "--noise-index")).getMessage();
        assertTrue(fraction.startsWith("--noise-index[3] is 0.5"), fraction);
        String perm = assertThrows(IllegalArgumentException.class,
                () -> NoiseIndex.apply(new double[] {0, 1, 1, 3}, s, "--noise-index")).getMessage();
        assertTrue(perm.contains("not a permutation") && perm.contains("image 1 appears twice"), perm);
        // One entry per caption needs no permutation (L2RM's files need not be one).
        assertEquals(1, NoiseIndex.apply(new double[] {0, 0, 1, 1, 2, 2, 3, 0}, s, "--noise-index").mismatched());
    }

    private static boolean isPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int v : p) {
            if (seen[v]) {
                return false;
            }
            seen[v] = true;
        }
        return true;
    }
}
