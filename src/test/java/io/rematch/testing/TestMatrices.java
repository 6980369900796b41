package io.rematch.testing;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;

/** Seeded test inputs and a finite-difference gradient, shared by the test classes. */
public final class TestMatrices {

    /**
     * The gradient contract, per entry: \(|g_{num} - g| \le\) {@code GRADIENT_RELATIVE} \(|g|\) +
     * {@code GRADIENT_ABSOLUTE} \(\max(1, \|g\|_\infty)\), with \(g_{num}\) from
     * {@link #richardsonGradient}. The absolute part is what central differences can resolve in
     * double precision (measured: at most 6e-11 on the contract's cases, ccl-exp at N = 16), so an entry of
     * size 1e-9 that is wrong is caught.
     */
    public static final double GRADIENT_RELATIVE = 1e-7;
    /** See {@link #GRADIENT_RELATIVE}. */
    public static final double GRADIENT_ABSOLUTE = 2e-10;

    private TestMatrices() {
    }

    /** An n x m matrix with entries uniform in [-scale, scale], from {@code seed}. */
    public static DMatrixRMaj uniform(int n, int m, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DMatrixRMaj s = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            s.data[k] = scale * (2 * r.nextDouble() - 1);
        }
        return s;
    }

    /** Cosine-like scores in [-1, 1] whose diagonal is raised by {@code boost} (matched pairs). */
    public static DMatrixRMaj scores(int n, double boost, long seed) {
        DMatrixRMaj s = uniform(n, n, 0.5, seed);
        for (int i = 0; i < n; i++) {
            s.data[i * n + i] += boost;
        }
        return s;
    }

    /**
     * Central finite differences of {@code f} at {@code x} with step {@code h} per entry.
     * The input is restored after each probe.
     */
    public static DMatrixRMaj numericGradient(ToDoubleFunction<DMatrixRMaj> f, DMatrixRMaj x, double h) {
        DMatrixRMaj g = new DMatrixRMaj(x.numRows, x.numCols);
        for (int k = 0; k < x.data.length && k < x.numRows * x.numCols; k++) {
            double old = x.data[k];
            x.data[k] = old + h;
            double up = f.applyAsDouble(x);
            x.data[k] = old - h;
            double down = f.applyAsDouble(x);
            x.data[k] = old;
            g.data[k] = (up - down) / (2 * h);
        }
        return g;
    }

    /**
     * Richardson-extrapolated central differences, \((4D(h/2) - D(h))/3\) with \(D\) the central
     * difference: truncation \(O(h^4)\) instead of \(O(h^2)\), so a larger step (less rounding
     * noise) reaches a tighter result.
     */
    public static DMatrixRMaj richardsonGradient(ToDoubleFunction<DMatrixRMaj> f, DMatrixRMaj x, double h) {
        DMatrixRMaj coarse = numericGradient(f, x, h);
        DMatrixRMaj fine = numericGradient(f, x, h / 2);
        DMatrixRMaj g = new DMatrixRMaj(x.numRows, x.numCols);
        for (int k = 0; k < x.numRows * x.numCols; k++) {
            g.data[k] = (4 * fine.data[k] - coarse.data[k]) / 3;
        }
        return g;
    }

    /**
     * The entry where {@code numeric} and {@code analytic} differ by more than {@code relative}
     * of the analytic entry plus {@code absolute} of \(\max(1, \|g\|_\infty)\), described; null if none.
     */
    public static String gradientMismatch(DMatrixRMaj analytic, DMatrixRMaj numeric, double relative, double absolute) {
        double scale = Math.max(1.0, maxAbs(analytic));
        for (int k = 0; k < analytic.numRows * analytic.numCols; k++) {
            double a = analytic.data[k];
            double d = Math.abs(numeric.data[k] - a);
            double allowed = relative * Math.abs(a) + absolute * scale;
            if (!(d <= allowed)) {
                return String.format(java.util.Locale.ROOT, "entry [%d,%d]: analytic %.17g, numeric %.17g, |diff| %.3g > %.3g",
                        k / analytic.numCols, k % analytic.numCols, a, numeric.data[k], d, allowed);
            }
        }
        return null;
    }

    /** max_k |a_k - b_k|. */
    public static double maxAbsDiff(DMatrixRMaj a, DMatrixRMaj b) {
        double m = 0;
        for (int k = 0; k < a.numRows * a.numCols; k++) {
            m = Math.max(m, Math.abs(a.data[k] - b.data[k]));
        }
        return m;
    }

    /** max_k |a_k|. */
    public static double maxAbs(DMatrixRMaj a) {
        double m = 0;
        for (int k = 0; k < a.numRows * a.numCols; k++) {
            m = Math.max(m, Math.abs(a.data[k]));
        }
        return m;
    }
}
