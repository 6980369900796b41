package io.rematch.model;

import com.aparapi.Kernel;

/**
 * The two towers' batch step ({@link Tower}, {@link TwoTower#scores}, {@link TwoTower#backward})
 * on an OpenCL device, float32, as passes of one kernel over buffers that stay on the device
 * between launches:
 * <ul>
 *   <li>{@code xv}, {@code xt}: the batch's image and caption rows (uploaded per batch);</li>
 *   <li>{@code w}: the float32 parameter values, {@link Parameters}' layout (uploaded when the host
 *   changed them, stepped here by {@link #ADAM});</li>
 *   <li>{@code g}: the parameter gradients of one backward pass;</li>
 *   <li>{@code s}: the score matrix \(S\), then \(G = \partial L/\partial S\) (one each way per step);</li>
 *   <li>{@code act}: every activation, norm and back-propagated gradient, which never leaves the device.</li>
 * </ul>
 * A buffer is named by a code ({@link #XV} ... {@link #G}), so one pass serves every product.
 *
 * <p>{@link #MULTIPLY}: \(C \mathrel{(+)}= \mathrm{op}(A)\,\mathrm{op}(B)\), \(C\) {@code mm x nn},
 * inner length {@code kk}, \(\mathrm{op}(A)_{ik}\) = {@code A[i * lda + k]} or, transposed,
 * {@code A[k * lda + i]}; \(\mathrm{op}(B)_{kj}\) = {@code B[k * ldb + j]} or, transposed,
 * {@code B[j * ldb + k]}. Tiled as {@link SimilarityKernel}: a 16 x 16 work-group computes a 64 x 64
 * block of \(C\), each item 4 x 4 in registers, staging 64 x 16 slices of both operands in local
 * memory per step along \(k\). Launch with {@code (ceil(nn/64) * 16, ceil(mm/64) * 16)}, groups of 16 x 16.
 *
 * <p>The other passes are one item per entry, row or column ({@code count} of them): {@link #BIAS}
 * (\(Y \mathrel{+}= \mathbf{1} b^T\), then ReLU if {@code relu} is 1), {@link #NORMALISE}
 * (\(f = h/(\lVert h\rVert + \epsilon)\), the norms kept), {@link #NORMALISE_BACK}
 * ({@link Tower}'s formula), {@link #RELU_MASK} (ReLU's derivative), {@link #BIAS_GRADIENT}
 * (column sums into {@code g}) and {@link #ZERO} (of {@code g}).
 *
 * <p>The optimiser's state stays here too: {@code gsum}, the gradients summed over a step's
 * backward passes ({@link #ACCUMULATE} adds each pass's {@code g}; {@link #ZERO_SUM}), Adam's
 * moments {@code m} and {@code v}, and the weights {@code w}. {@link #SQUARES} reduces
 * \(\lVert g\rVert^2\) to {@link #SQUARE_GROUPS} partial sums (launch {@code SQUARE_GROUPS *
 * SQUARE_GROUP} items in groups of {@link #SQUARE_GROUP}), from which the host forms the clipping
 * factor; {@link #ADAM} is {@link io.rematch.optim.Adam}'s update of every entry, in float32.
 */
final class TowerKernel extends Kernel {

    static final int MULTIPLY = 0;
    static final int BIAS = 1;
    static final int NORMALISE = 2;
    static final int NORMALISE_BACK = 3;
    static final int RELU_MASK = 4;
    static final int BIAS_GRADIENT = 5;
    static final int ZERO = 6;
    static final int ACCUMULATE = 7;
    static final int ZERO_SUM = 8;
    static final int SQUARES = 9;
    static final int ADAM = 10;

    static final int XV = 0;
    static final int XT = 1;
    static final int ACT = 2;
    static final int S = 3;
    static final int W = 4;
    static final int G = 5;

    static final int TILE = 64;
    static final int GROUP = 16;
    static final int LINE = 64;
    /** {@link #SQUARES}: its work-groups (one partial sum each) and their size. */
    static final int SQUARE_GROUPS = 256;
    static final int SQUARE_GROUP = 256;
    private static final int STEP = 16;
    private static final int PITCH = STEP + 1;

    float[] xv;
    float[] xt;
    float[] w;
    float[] g;
    float[] s;
    float[] act;
    float[] gsum;
    float[] m;
    float[] v;
    float[] partial;

    int pass;
    int count;
    // MULTIPLY
    int aSrc;
    int aOff;
    int lda;
    int transA;
    int bSrc;
    int bOff;
    int ldb;
    int transB;
    int cDst;
    int cOff;
    int ldc;
    int mm;
    int nn;
    int kk;
    int accumulate;
    // the row passes: x (rows x cols at xOff), y at yOff, z at zOff, norms at normOff, all in act
    int rows;
    int cols;
    int xOff;
    int yOff;
    int zOff;
    int normOff;
    int bias;
    int relu;
    float eps;
    // ACCUMULATE: 1 if gsum holds nothing since it was zeroed (it is then overwritten)
    int fresh;
    // ADAM: the clipping factor and Adam's coefficients (Adam.Coefficients)
    float clip;
    float beta1;
    float beta2;
    float oneMinusBeta1;
    float oneMinusBeta2;
    float stepA;
    float stepE;

    @Local
    final float[] as = new float[TILE * PITCH];
    @Local
    final float[] bs = new float[TILE * PITCH];

    @Override
    public void run() {
        if (pass == MULTIPLY) {
            multiply();
        }
        if (pass == SQUARES) {
            squares();
        }
        if (pass != MULTIPLY && pass != SQUARES) {
            int t = getGlobalId(0);
            if (t < count) {
                rowPass(t);
            }
        }
    }

    private void rowPass(int t) {
        if (pass == BIAS) {
            int c = t % cols;
            float y = act[yOff + t] + w[bias + c];
            if (relu == 1 && y < 0f) {
                y = 0f;
            }
            act[yOff + t] = y;
        }
        if (pass == NORMALISE) {     // t: a row; x = h, y = f
            int base = t * cols;
            float sum = 0f;
            for (int c = 0; c < cols; c++) {
                float h = act[xOff + base + c];
                sum += h * h;
            }
            float n = sqrt(sum);
            act[normOff + t] = n;
            float scale = 1f / (n + eps);
            for (int c = 0; c < cols; c++) {
                act[yOff + base + c] = act[xOff + base + c] * scale;
            }
        }
        if (pass == NORMALISE_BACK) {     // t: a row; x = h, y = dL/df, z = dL/dh
            int base = t * cols;
            float n = act[normOff + t];
            float denom = n + eps;
            float xg = 0f;
            for (int c = 0; c < cols; c++) {
                xg += act[xOff + base + c] * act[yOff + base + c];
            }
            float coefficient = 0f;
            if (n > 0f) {
                coefficient = xg / (denom * denom * n);
            }
            for (int c = 0; c < cols; c++) {
                act[zOff + base + c] = act[yOff + base + c] / denom - act[xOff + base + c] * coefficient;
            }
        }
        if (pass == RELU_MASK) {     // t: an entry; x = the activation, y = its gradient
            if (load(aSrc, xOff + t) <= 0f) {
                act[yOff + t] = 0f;
            }
        }
        if (pass == BIAS_GRADIENT) {     // t: a column of y (rows x cols)
            float sum = 0f;
            for (int r = 0; r < rows; r++) {
                sum += act[yOff + r * cols + t];
            }
            g[bias + t] = g[bias + t] + sum;
        }
        if (pass == ZERO) {
            g[t] = 0f;
        }
        if (pass == ACCUMULATE) {     // this backward pass's gradients into the step's sum
            float old = 0f;
            if (fresh == 0) {
                old = gsum[t];
            }
            gsum[t] = old + g[t];
        }
        if (pass == ZERO_SUM) {
            gsum[t] = 0f;
        }
        if (pass == ADAM) {     // Adam.update's form, in float32: m, v and the weights stay here
            float gr = gsum[t] * clip;
            float mk = beta1 * m[t] + oneMinusBeta1 * gr;
            float vk = beta2 * v[t] + oneMinusBeta2 * gr * gr;
            m[t] = mk;
            v[t] = vk;
            w[t] = w[t] - stepA * mk / (sqrt(vk) + stepE);
        }
    }

    /**
     * Each work-group's share of \(\sum_k g_k^2\) over the {@code count} entries of {@code gsum}
     * into {@code partial[group]}: each item sums a stride of the entries, then the group's sums
     * are reduced as a tree in local memory (always the same pairs: the same bits every time).
     */
    private void squares() {
        int item = getLocalId(0);
        int stride = getGlobalSize(0);
        float sum = 0f;
        for (int k = getGlobalId(0); k < count; k += stride) {
            float x = gsum[k];
            sum += x * x;
        }
        as[item] = sum;
        localBarrier();
        for (int width = SQUARE_GROUP / 2; width > 0; width = width / 2) {
            if (item < width) {
                as[item] = as[item] + as[item + width];
            }
            localBarrier();
        }
        if (item == 0) {
            partial[getGroupId(0)] = as[0];
        }
    }

    /** The value at {@code index} of the buffer coded {@code src}. */
    private float load(int src, int index) {
        float v = 0f;
        if (src == XV) {
            v = xv[index];
        }
        if (src == XT) {
            v = xt[index];
        }
        if (src == ACT) {
            v = act[index];
        }
        if (src == S) {
            v = s[index];
        }
        if (src == W) {
            v = w[index];
        }
        return v;
    }

    private void multiply() {
        int lx = getLocalId(0);
        int ly = getLocalId(1);
        int j0 = getGroupId(0) * TILE;
        int i0 = getGroupId(1) * TILE;
        int t = ly * GROUP + lx;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < kk; k0 += STEP) {
            for (int q = 0; q < 4; q++) {   // 64 x 16 values per operand, 4 per item
                int e = t + GROUP * GROUP * q;
                // along k for a row-major operand, along the rows for a transposed one: adjacent
                // items read adjacent addresses either way
                int r = e >> 4;
                int k = e & 15;
                if (transA == 1) {
                    r = e & 63;
                    k = e >> 6;
                }
                int gi = i0 + r;
                int gk = k0 + k;
                float av = 0f;
                if (gi < mm && gk < kk) {
                    int index = aOff + gi * lda + gk;
                    if (transA == 1) {
                        index = aOff + gk * lda + gi;
                    }
                    av = load(aSrc, index);
                }
                as[r * PITCH + k] = av;

                r = e & 63;
                k = e >> 6;
                if (transB == 1) {
                    r = e >> 4;
                    k = e & 15;
                }
                int gj = j0 + r;
                gk = k0 + k;
                float bv = 0f;
                if (gj < nn && gk < kk) {
                    int index = bOff + gk * ldb + gj;
                    if (transB == 1) {
                        index = bOff + gj * ldb + gk;
                    }
                    bv = load(bSrc, index);
                }
                bs[r * PITCH + k] = bv;
            }
            localBarrier();
            for (int k = 0; k < STEP; k++) {
                float a0 = as[ly * PITCH + k];
                float a1 = as[(ly + 16) * PITCH + k];
                float a2 = as[(ly + 32) * PITCH + k];
                float a3 = as[(ly + 48) * PITCH + k];
                float b0 = bs[lx * PITCH + k];
                float b1 = bs[(lx + 16) * PITCH + k];
                float b2 = bs[(lx + 32) * PITCH + k];
                float b3 = bs[(lx + 48) * PITCH + k];
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
        if (i < mm) {
            int base = cOff + i * ldc + j;
            if (j < nn) {
                write(base, v0);
            }
            if (j + 16 < nn) {
                write(base + 16, v1);
            }
            if (j + 32 < nn) {
                write(base + 32, v2);
            }
            if (j + 48 < nn) {
                write(base + 48, v3);
            }
        }
    }

    /** {@code C[index] = v}, or {@code += v} when accumulating. */
    private void write(int index, float v) {
        if (cDst == ACT) {
            float old = 0f;
            if (accumulate == 1) {
                old = act[index];
            }
            act[index] = old + v;
        }
        if (cDst == S) {
            float old = 0f;
            if (accumulate == 1) {
                old = s[index];
            }
            s[index] = old + v;
        }
        if (cDst == G) {
            float old = 0f;
            if (accumulate == 1) {
                old = g[index];
            }
            g[index] = old + v;
        }
    }
}
