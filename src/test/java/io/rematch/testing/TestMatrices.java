package io.rematch.testing;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;

/** Seeded test inputs and a finite-difference gradient, shared by the test classes. */
public final class TestMatrices {

    /** Named tolerance of the gradient contract: max |numeric - analytic| relative to max(1, |analytic|_inf). */
    public static final double GRADIENT_TOLERANCE = 1e-6;

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
