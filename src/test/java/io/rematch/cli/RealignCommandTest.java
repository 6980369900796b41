package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rematch realign} on the bundled batch (part of the README's main job): L2RM's masked
 * partial transport proposes far better than chance for each mismatched image, and, once it must
 * move most of the mass, better than the most similar caption (its marginals forbid two images
 * taking the same caption). Bad input names the option.
 */
class RealignCommandTest {

    private static final String DIR = "data-small/batch128-pmp20/";
    private static final String[] ARGS = {"realign", "--scores", DIR + "scores.npy", "--mismatched",
        DIR + "mismatched.npy", "--true-caption", DIR + "true_caption.npy"};

    @Test
    @SuppressWarnings("unchecked")
    void planRematchesBetterThanNearestCaptionWhenItMovesMostOfTheMass() {
        String[] args = java.util.Arrays.copyOf(ARGS, ARGS.length + 1);
        args[ARGS.length] = "--json";
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.code(), r::toString);
        Map<String, Object> json = Cli.jsonLine(r);
        assertEquals(26.0, ((Number) json.get("mismatched")).doubleValue());
        double nearest = ((Number) json.get("rematched_by_similarity")).doubleValue();
        assertTrue(nearest > 26 * 0.04 * 5, "nearest caption far above chance: " + nearest);
        List<Object> plans = (List<Object>) json.get("plans");
        assertEquals(3, plans.size());
        double previous = -1;
        for (Object o : plans) {
            Map<String, Object> p = (Map<String, Object>) o;
            assertEquals(Boolean.TRUE, p.get("converged"), r::toString);
            double hits = ((Number) p.get("rematched_by_plan")).doubleValue();
            assertTrue(hits >= previous, "more transported mass should not rematch worse: " + r);
            previous = hits;
        }
        assertTrue(previous > nearest, "at s = 0.9 the plan beats the nearest caption: " + r);
    }

    @Test
    void tableOutputShowsEachMass() {
        Cli.Result r = Cli.run(ARGS);
        assertEquals(0, r.code(), r::toString);
        for (String s : new String[] {"most similar other caption", "mass s = 0.1", "mass s = 0.5", "mass s = 0.9", "chance"}) {
            assertTrue(r.out().contains(s), s + " missing:\n" + r);
        }
    }

    @Test
    void badInputNamesTheOption(@TempDir Path dir) throws Exception {
        Cli.assertBadInput(concat(ARGS, "--mass", "1.0"), "--mass", "(0.0, 1.0)");
        Cli.assertBadInput(concat(ARGS, "--reg", "0"), "--reg");
        Path truth = dir.resolve("t.npy");
        double[] t = new double[128];
        t[5] = 128;
        Npy.write(truth, NpyArray.of(new int[] {128}, t, DType.INT64));
        String[] badTruth = ARGS.clone();
        badTruth[6] = truth.toString();
        Cli.assertBadInput(badTruth, "--true-caption[5] is 128;");
        Path flags = dir.resolve("f.npy");
        double[] f = new double[128];
        f[7] = 2;
        Npy.write(flags, NpyArray.of(new int[] {128}, f, DType.INT64));
        String[] badFlags = ARGS.clone();
        badFlags[4] = flags.toString();
        Cli.assertBadInput(badFlags, "--mismatched[7] is 2.0; expected 0 or 1");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
