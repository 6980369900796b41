package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Products}: the pieces tile the product once, are cut where netlib's blocks are, and
 * give the bits of one call in every transposition and precision, with offsets and leading
 * dimensions wider than the matrices (QuickTheories prints the seed of a failing example).
 */
class ProductsTest {

    @Test
    void piecesTileTheProductOnceAtNetlibsBlocks() {
        qt().withExamples(400).forAll(integers().between(1, 3000), integers().between(1, 5000),
                integers().between(1, 3000), integers().between(1, 32)).checkAssert((m, n, k, parts) -> {
            List<Products.Piece> pieces = Products.pieces(m, n, k, parts);
            int[] covered = new int[m];
            int rowsPerCall = Tensor.rowsPerProduct(m, n, k);
            for (Products.Piece p : pieces) {
                assertTrue(p.rows() > 0 && p.cols() > 0, p.toString());
                assertEquals(0, p.row() % rowsPerCall, "rows are cut as before: " + p);
                if (p.cols() < n) {
                    assertEquals(0, p.col() % Products.ALIGN, "a column cut off netlib's blocks: " + p);
                    assertTrue(p.cols() >= Products.ALIGN, "a piece narrower than a block: " + p);
                    assertTrue((long) p.cols() * p.rows() * k >= Products.BLOCKED, "a piece on netlib's other path: " + p);
                    assertTrue((long) n * p.rows() * k >= Products.PARALLEL, "a small product cut: " + p);
                }
                for (int r = p.row(); r < p.row() + p.rows(); r++) {
                    covered[r] += p.cols();
                }
            }
            for (int r = 0; r < m; r++) {
                assertEquals(n, covered[r], "row " + r + " of " + m + " x " + n + " x " + k + " covered");
            }
            long perChunk = pieces.stream().filter(p -> p.row() == 0).count();
            assertTrue(perChunk <= Math.max(1, parts), perChunk + " pieces for " + parts + " cores");
        });
    }

    @Test
    void largeProductsAreCutForEveryCore() {
        // a Flickr30K-sized tower's first layer at batch 128: 128 x 1,024 x 2,048
        assertEquals(2, Products.pieces(128, 1024, 2048, 2).size());
        // 16 cores: pieces of two blocks of 60 columns (17 blocks do not go into 16 pieces of one)
        assertEquals(9, Products.pieces(128, 1024, 2048, 16).size());
        assertEquals(1, Products.pieces(128, 1024, 2048, 1).size());
        assertEquals(1, Products.pieces(8, 256, 16, 16).size(), "a small product runs on one core");
    }

    @Test
    void cutProductsHaveTheBitsOfOneCall() {
        qt().withExamples(24).forAll(longs().all(), integers().between(2, 7)).checkAssert((seed, parts) -> {
            SplittableRandom r = new SplittableRandom(seed);
            // shapes that are cut: n >= 3 blocks (two pieces of at least one block), enough multiply-adds for netlib's blocked path and for the pool
            int m = 16 + r.nextInt(400);
            int n = 3 * Products.ALIGN + r.nextInt(900);
            int k = (int) Math.max(1 + r.nextInt(900), Math.max(Products.PARALLEL / ((long) m * n) + 1,
                    Products.BLOCKED / (Products.ALIGN * m) + 1));
            boolean transA = r.nextBoolean();
            boolean transB = r.nextBoolean();
            double beta = r.nextBoolean() ? 0 : 1;
            assertTrue(Products.pieces(m, n, k, parts).size() > 1, "the shape is not cut");
            int pad = r.nextInt(4);
            int lda = (transA ? m : k) + pad;
            int ldb = (transB ? k : n) + pad;
            int ldc = n + pad;
            int offA = r.nextInt(5);
            int offB = r.nextInt(5);
            int offC = r.nextInt(5);
            double[] a = gaussian(r, offA + (transA ? k : m) * lda);
            double[] b = gaussian(r, offB + (transB ? n : k) * ldb);
            double[] c = gaussian(r, offC + m * ldc);
            String shape = m + " x " + n + " x " + k + (transA ? " T" : " N") + (transB ? "T" : "N") + ", beta " + beta
                    + ", " + parts + " cores";
            double[] one = c.clone();
            double[] cut = c.clone();
            Products.multiply(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, one, offC, ldc, 1);
            Products.multiply(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, cut, offC, ldc, parts);
            assertArrayEquals(one, cut, "float64 " + shape);
            float[] af = narrow(a);
            float[] bf = narrow(b);
            float[] oneF = narrow(c);
            float[] cutF = narrow(c);
            Products.multiply(transA, transB, m, n, k, af, offA, lda, bf, offB, ldb, (float) beta, oneF, offC, ldc, 1);
            Products.multiply(transA, transB, m, n, k, af, offA, lda, bf, offB, ldb, (float) beta, cutF, offC, ldc,
                    parts);
            assertArrayEquals(oneF, cutF, "float32 " + shape);
            // and the one call is the product (the first and last entries against a dot product)
            for (int[] e : new int[][] {{0, 0}, {m - 1, n - 1}}) {
                double dot = beta * c[offC + e[0] * ldc + e[1]];
                for (int p = 0; p < k; p++) {
                    dot += a[transA ? offA + p * lda + e[0] : offA + e[0] * lda + p]
                            * b[transB ? offB + e[1] * ldb + p : offB + p * ldb + e[1]];
                }
                assertEquals(dot, one[offC + e[0] * ldc + e[1]], 1e-9 * Math.sqrt(k), shape);
            }
        });
    }

    /**
     * Three training steps (scores, CCL, backward, clipped Adam) of towers whose products are cut,
     * in fork-join pools of 1, 2 and 5 threads: the same weights to the bit, in both precisions.
     */
    @Test
    void trainingStepsHaveTheSameBitsOnAnyNumberOfCores() throws Exception {
        for (Precision precision : Precision.values()) {
            double[] reference = null;
            for (int threads : new int[] {1, 2, 5}) {
                java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
                try {
                    double[] weights = pool.submit(() -> threeSteps(precision)).get();
                    if (reference == null) {
                        reference = weights;
                    } else {
                        assertArrayEquals(reference, weights, precision + ", " + threads + " threads against 1");
                    }
                } finally {
                    pool.shutdown();
                }
            }
        }
    }

    /** The weights after three steps of a 512 -> 1,024 -> 128 model at batch 64 (its products: 64 x 1,024 x 512). */
    private static double[] threeSteps(Precision precision) {
        int batch = 64;
        int dims = 512;
        assertTrue(Products.pieces(batch, 1024, dims, java.util.concurrent.ForkJoinTask.getPool().getParallelism())
                .size() > 1 || java.util.concurrent.ForkJoinTask.getPool().getParallelism() == 1, "the products are not cut");
        TwoTower model = new TwoTower(dims, dims, new EncoderSpec("mlp", new int[] {1024}, 128), precision,
                new io.rematch.numeric.RestorableRandom(20261204L));
        SplittableRandom r = new SplittableRandom(20261205L);
        io.rematch.data.Features images = io.rematch.data.Features.ofFloats(batch, dims, floats(r, batch * dims));
        io.rematch.data.Features captions = io.rematch.data.Features.ofFloats(batch, dims, floats(r, batch * dims));
        int[] rows = new int[batch];
        for (int i = 0; i < batch; i++) {
            rows[i] = i;
        }
        double[] scores = new double[batch * batch];
        io.rematch.loss.ScoreLoss loss = io.rematch.loss.ComplementaryContrastiveLoss.rclDefault();
        io.rematch.optim.Adam adam = new io.rematch.optim.Adam(model.parameters().size(),
                io.rematch.optim.Adam.Settings.withLearningRate(1e-3));
        for (int step = 0; step < 3; step++) {
            model.parameters().zeroGradients();
            model.scores(images, rows, batch, captions, rows, batch, scores);
            model.backward(loss.evaluate(org.ejml.data.DMatrixRMaj.wrap(batch, batch, scores)).gradient().data);
            model.parameters().step(adam, 2.0);
        }
        return model.parameters().values().clone();
    }

    private static float[] floats(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int q = 0; q < size; q++) {
            x[q] = (float) r.nextDouble(-0.05, 0.05);
        }
        return x;
    }

    /** The float32 similarity matrix keeps the bits of its one sgemm, at a size whose rows a tower's product would cut. */
    @Test
    void similaritiesHaveTheBitsOfOneCall() {
        SplittableRandom r = new SplittableRandom(20261205L);
        int n = 600;
        int m = 1024;
        int d = 1024;
        float[] x = narrow(gaussian(r, n * d));
        float[] y = narrow(gaussian(r, m * d));
        float[] one = new float[n * m];
        Tensor.BLAS_INSTANCE.sgemm("T", "N", m, n, d, 1f, y, 0, d, x, 0, d, 0f, one, 0, m);
        assertArrayEquals(one, Blas.similarities(x, n, y, m, d));
    }

    /** Why the cuts sit on netlib's blocks: a cut elsewhere changes the bits. */
    @Test
    void aCutOffTheBlocksChangesTheBits() {
        long seed = 20261204L;
        System.out.println("ProductsTest: seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int m = 64;
        int n = 400;
        int k = 300;
        double[] a = gaussian(r, m * k);
        double[] b = gaussian(r, k * n);
        double[] one = new double[m * n];
        double[] cut = new double[m * n];
        Products.multiply(false, false, m, n, k, a, 0, k, b, 0, n, 0, one, 0, n, 1);
        for (int c = 0; c < n; c += 67) {
            int cols = Math.min(67, n - c);
            Tensor.BLAS_INSTANCE.dgemm("N", "N", cols, m, k, 1.0, b, c, n, a, 0, k, 0, cut, c, n);
        }
        assertTrue(!java.util.Arrays.equals(one, cut), "cut at multiples of 67, the bits stayed");
    }

    private static double[] gaussian(SplittableRandom r, int size) {
        double[] x = new double[size];
        for (int q = 0; q < size; q++) {
            x[q] = r.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] narrow(double[] x) {
        float[] y = new float[x.length];
        for (int q = 0; q < x.length; q++) {
            y[q] = (float) x[q];
        }
        return y;
    }
}
