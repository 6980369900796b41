package io.rematch.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.stream.IntStream;

/**
 * Row-major matrix products \(C \leftarrow op(A)\,op(B) + \beta C\) ({@code m x n}, inner
 * dimension {@code k}) through the CPU's BLAS ({@link Tensor#BLAS_INSTANCE}), cut into pieces
 * that run on all cores, with the bits of one call: a result does not depend on the number of
 * cores, and every product that one call computed before is computed to the same bits.
 *
 * <p>Why the bits survive: for a product of at least {@value #BLOCKED} multiply-adds
 * (counted as netlib counts them, in {@code int}), netlib 3.0.4's pure-Java {@code dgemm} and
 * {@code sgemm} ({@code Java8BLAS.dgemmK}, with {@code VectorBLAS}'s micro-kernel) work on
 * blocks of {@value #ALIGN} rows of its column-major \(C\) (the columns of the row-major
 * \(C\) here), packed and summed the same way wherever the block lies. Cutting those rows at
 * multiples of {@value #ALIGN}, each piece again at least {@value #ALIGN} rows and
 * {@value #BLOCKED} multiply-adds, gives every piece the same blocks, so the same sums in the
 * same order. A cut anywhere else changes the bits (45 of 46 random shapes, cut at
 * multiples of 60 plus 7); so does the cut of {@link Tensor#rowsPerProduct}, which is why that
 * one is made only where netlib is slow. {@code ProductsTest} checks the bits over random
 * shapes, transpositions and offsets, so that a new netlib would be caught.
 *
 * <p>Pieces run in the fork-join pool of the calling thread, else the common one (as
 * {@code IntStream.parallel}), from
 * {@value #PARALLEL} multiply-adds up: below that, waking the threads costs more than the
 * product (a tenth of a millisecond at 40 GFLOP/s).
 */
final class Products {

    /** netlib's threshold: a product of fewer multiply-adds takes its unblocked path. */
    static final int BLOCKED = 100 * 100 * 100;

    /** netlib's block of rows of its \(C\): {@code Krow = ceil(min(60, m) / 3) * 3}. */
    static final int ALIGN = 60;

    /** Multiply-adds from which a product runs on all cores. */
    static final long PARALLEL = 1L << 22;

    private Products() {
    }

    /** One BLAS call: rows {@code [row, row + rows)} and columns {@code [col, col + cols)} of \(C\). */
    record Piece(int row, int rows, int col, int cols) {
    }

    /**
     * The pieces of an {@code m x n x k} product for {@code parts} cores: the row cuts of
     * {@link Tensor#rowsPerProduct}, each cut again into up to {@code parts} column ranges at
     * multiples of {@value #ALIGN} where the bits allow it.
     */
    static List<Piece> pieces(int m, int n, int k, int parts) {
        return pieces(m, n, k, parts, Tensor.rowsPerProduct(m, n, k));
    }

    /** As above, with calls of {@code step} rows (at least 1) in place of {@link Tensor#rowsPerProduct}'s. */
    static List<Piece> pieces(int m, int n, int k, int parts, int step) {
        List<Piece> out = new ArrayList<>();
        for (int r = 0; r < m; r += step) {
            int rows = Math.min(step, m - r);
            int width = columnsPerPiece(n, rows, k, parts);
            for (int c = 0; c < n; c += width) {
                out.add(new Piece(r, rows, c, Math.min(width, n - c)));
            }
        }
        return out;
    }

    /**
     * The width of the column pieces of a product of {@code rows x n x k} for {@code parts}
     * cores: {@code n} (one piece) when it is small or cannot be cut without changing its bits,
     * else a multiple of {@value #ALIGN} that every piece, the last one too, keeps netlib's
     * blocked path with.
     */
    static int columnsPerPiece(int n, int rows, int k, int parts) {
        if (parts < 2 || (long) n * rows * k < PARALLEL || !blocked(n, rows, k)) {
            return n;
        }
        for (int p = Math.min(parts, n / ALIGN); p >= 2; p--) {
            int width = ((n + p - 1) / p + ALIGN - 1) / ALIGN * ALIGN;
            int last = n - (n - 1) / width * width;
            if (width < n && last >= ALIGN && blocked(width, rows, k) && blocked(last, rows, k)) {
                return width;
            }
        }
        return n;
    }

    /** Whether netlib's {@code gemm} takes its blocked path: its own test, overflow and all. */
    private static boolean blocked(int m, int n, int k) {
        return !(m * n * k < BLOCKED);
    }

    /**
     * The number of cores a product is cut for: the threads of the fork-join pool it runs in
     * (a training run of {@code rematch experiment} has its own), else the common pool's and the
     * calling thread.
     */
    private static int cores() {
        return ForkJoinTask.inForkJoinPool() ? ForkJoinTask.getPool().getParallelism()
                : ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /** {@code c[offC..] = op(A) op(B) + beta c}, row-major, in float64. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, double[] a, int offA, int lda,
                         double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
        multiply(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, cores());
    }

    /** As above, cut for {@code parts} cores. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, double[] a, int offA, int lda,
                         double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc, int parts) {
        if (m == 0 || n == 0) {
            return;
        }
        List<Piece> pieces = pieces(m, n, k, parts);
        run(pieces, p -> Tensor.BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", p.cols, p.rows, k, 1.0,
                b, offB + (transB ? p.col * ldb : p.col), ldb, a, offA + (transA ? p.row : p.row * lda), lda, beta,
                c, offC + p.row * ldc + p.col, ldc));
    }

    /** {@code c[offC..] = op(A) op(B) + beta c}, row-major, in float32. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float[] a, int offA, int lda,
                         float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        multiply(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, cores());
    }

    /** As above, cut for {@code parts} cores. */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, float[] a, int offA, int lda,
                         float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc, int parts) {
        if (m == 0 || n == 0) {
            return;
        }
        List<Piece> pieces = pieces(m, n, k, parts);
        run(pieces, p -> Tensor.BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", p.cols, p.rows, k, 1f,
                b, offB + (transB ? p.col * ldb : p.col), ldb, a, offA + (transA ? p.row : p.row * lda), lda, beta,
                c, offC + p.row * ldc + p.col, ldc));
    }

    /**
     * {@code c = a b^T} in float32 ({@code m x n}, inner {@code k}, {@code beta = 0}), its rows
     * never cut ({@link Blas#similarities}: one call before these pieces existed, so its bits are
     * kept), its columns cut as above.
     */
    static void similarities(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c) {
        if (m == 0 || n == 0) {
            return;
        }
        run(pieces(m, n, k, cores(), Math.max(1, m)), p -> Tensor.BLAS_INSTANCE.sgemm("T", "N", p.cols, p.rows, k, 1f,
                b, p.col * ldb, ldb, a, p.row * lda, lda, 0f, c, p.row * n + p.col, n));
    }

    private static void run(List<Piece> pieces, java.util.function.Consumer<Piece> call) {
        if (pieces.size() == 1) {
            call.accept(pieces.get(0));
        } else {
            IntStream.range(0, pieces.size()).parallel().forEach(q -> call.accept(pieces.get(q)));
        }
    }
}
