package io.rematch.course;

import java.util.Locale;
import java.util.SplittableRandom;

/** Small helpers the checks share: formatting, comparisons, random test inputs. */
final class Grading {

    private Grading() {
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** {@code |a - b| / max(|b|, floor)}. */
    static double relative(double a, double b, double floor) {
        return Math.abs(a - b) / Math.max(Math.abs(b), floor);
    }

    /** The largest |entry|. */
    static double maxAbs(double[][] m) {
        double best = 0;
        for (double[] r : m) {
            for (double v : r) {
                best = Math.max(best, Math.abs(v));
            }
        }
        return best;
    }

    /** Whether {@code m} is {@code rows x cols} with finite entries; the problem in words otherwise. */
    static String shapeProblem(String what, double[][] m, int rows, int cols) {
        if (m == null) {
            return what + " is null";
        }
        if (m.length != rows) {
            return f("%s has %d rows; expected %d", what, m.length, rows);
        }
        for (int i = 0; i < rows; i++) {
            if (m[i] == null || m[i].length != cols) {
                return f("%s row %d has %s entries; expected %d", what, i, m[i] == null ? "no" : m[i].length, cols);
            }
            for (int j = 0; j < cols; j++) {
                if (!Double.isFinite(m[i][j])) {
                    return f("%s[%d][%d] is %s; expected a finite number", what, i, j, m[i][j]);
                }
            }
        }
        return null;
    }

    /** A rows x cols matrix of uniform entries in [low, high). */
    static double[][] uniform(SplittableRandom r, int rows, int cols, double low, double high) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextDouble(low, high);
            }
        }
        return m;
    }

    /** A random probability vector of length n (normalised exponentials, none tiny). */
    static double[] simplex(SplittableRandom r, int n) {
        double[] p = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            p[k] = Math.exp(r.nextDouble(-2, 2));
            sum += p[k];
        }
        for (int k = 0; k < n; k++) {
            p[k] /= sum;
        }
        return p;
    }

    static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    /** Deletes a temporary folder, quietly (one left behind is harmless). */
    static void deleteTree(java.nio.file.Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // nothing to do
        }
    }
}
