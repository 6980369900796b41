package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.rematch.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.ejml.data.DMatrixRMaj;

/** Plan comparisons and reference-vector reading shared by the OT tests. */
final class PlanAssertions {

    private PlanAssertions() {
    }

    /**
     * Largest entry-wise relative difference \(|x - y| / \max(|y|, \text{floor} \cdot \max|y|)\):
     * relative per entry, except that entries below {@code floor} times the largest one are
     * compared relative to that floor (they are below the precision the algorithms carry).
     */
    static double maxRelativeDiff(DMatrixRMaj got, DMatrixRMaj want, double floor) {
        assertEquals(want.numRows, got.numRows, "rows");
        assertEquals(want.numCols, got.numCols, "cols");
        double scale = 0;
        for (int k = 0; k < want.getNumElements(); k++) {
            scale = Math.max(scale, Math.abs(want.data[k]));
        }
        double worst = 0;
        for (int k = 0; k < want.getNumElements(); k++) {
            double d = Math.abs(got.data[k] - want.data[k]);
            double denom = Math.max(Math.abs(want.data[k]), floor * scale);
            if (Double.isNaN(got.data[k])) {
                return Double.NaN;
            }
            worst = Math.max(worst, denom == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : d / denom);
        }
        return worst;
    }

    static void assertPlanClose(DMatrixRMaj got, DMatrixRMaj want, double tol, double floor, String what) {
        double r = maxRelativeDiff(got, want, floor);
        if (!(r <= tol)) {
            fail(what + ": max relative difference " + r + " > " + tol);
        }
    }

    static double[] vector(String family, String file) {
        try (InputStream in = PlanAssertions.class.getResourceAsStream("/reference/" + family + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /reference/" + family + "/" + file);
            }
            return Npy.read(in, file).toVector(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
