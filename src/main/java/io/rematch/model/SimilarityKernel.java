package io.rematch.model;

import com.aparapi.Kernel;

/**
 * \(S = X Y^T\) on an OpenCL device, float32, row-major: {@code s[i * m + j] = sum_k x[i * d + k]
 * y[j * d + k]} for the {@code rows} rows of {@code x} against the {@code m} rows of {@code y}.
 *
 * <p>Tiled for the memory hierarchy: a work-group of 16 x 16 items computes a 64 x 64 block of
 * \(S\), each item a 4 x 4 sub-block (rows {@code ly + 16a}, columns {@code lx + 16b}) held in
 * sixteen registers. Per step of 16 along \(k\) the group stages a 64 x 16 slice of each operand
 * in local memory (rows padded to 17 floats so that the column reads do not collide on one
 * bank), so each loaded value is used 64 times. Out-of-range rows, columns and \(k\) read as 0.
 * Launch with a 2-D range of {@code (ceil(m/64) * 16, ceil(rows/64) * 16)}, groups of 16 x 16.
 */
final class SimilarityKernel extends Kernel {

    static final int TILE = 64;
    static final int GROUP = 16;
    static final int STEP = 16;
    private static final int PITCH = STEP + 1;

    float[] x;
    float[] y;
    float[] s;
    int rows;
    int m;
    int d;

    @Local
    final float[] xs = new float[TILE * PITCH];
    @Local
    final float[] ys = new float[TILE * PITCH];

    @Override
    public void run() {
        int lx = getLocalId(0);
        int ly = getLocalId(1);
        int j0 = getGroupId(0) * TILE;
        int i0 = getGroupId(1) * TILE;
        int t = ly * GROUP + lx;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < d; k0 += STEP) {
            for (int q = 0; q < 4; q++) {   // 64 x 16 values per operand, 4 per item, 16 consecutive k per row
                int e = t + GROUP * GROUP * q;
                int r = e >> 4;
                int kk = e & 15;
                int gk = k0 + kk;
                int gi = i0 + r;
                int gj = j0 + r;
                float xv = 0f;
                float yv = 0f;
                if (gk < d && gi < rows) {
                    xv = x[gi * d + gk];
                }
                if (gk < d && gj < m) {
                    yv = y[gj * d + gk];
                }
                xs[r * PITCH + kk] = xv;
                ys[r * PITCH + kk] = yv;
            }
            localBarrier();
            for (int k = 0; k < STEP; k++) {
                float a0 = xs[ly * PITCH + k];
                float a1 = xs[(ly + 16) * PITCH + k];
                float a2 = xs[(ly + 32) * PITCH + k];
                float a3 = xs[(ly + 48) * PITCH + k];
                float b0 = ys[lx * PITCH + k];
                float b1 = ys[(lx + 16) * PITCH + k];
                float b2 = ys[(lx + 32) * PITCH + k];
                float b3 = ys[(lx + 48) * PITCH + k];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            localBarrier();
        }
        store(i0 + ly, j0 + lx, c00, c01, c02, c03);
        store(i0 + ly + 16, j0 + lx, c10, c11, c12, c13);
        store(i0 + ly + 32, j0 + lx, c20, c21, c22, c23);
        store(i0 + ly + 48, j0 + lx, c30, c31, c32, c33);
    }

    /** Row {@code i}'s four values at columns {@code j, j + 16, j + 32, j + 48}, those in range. */
    private void store(int i, int j, float v0, float v1, float v2, float v3) {
        if (i < rows) {
            int base = i * m;
            if (j < m) {
                s[base + j] = v0;
            }
            if (j + 16 < m) {
                s[base + j + 16] = v1;
            }
            if (j + 32 < m) {
                s[base + j + 32] = v2;
            }
            if (j + 48 < m) {
                s[base + j + 48] = v3;
            }
        }
    }
}
