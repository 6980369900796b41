package io.rematch.loss;

import com.aparapi.Kernel;

/**
 * The two-way softmax losses on an OpenCL device, float32: CCL's loss and gradient (RCL Eq. 14-18
 * over all negatives, the engine of {@link TwoWaySoftmaxObjective}) and InfoNCE's (Eq. 8,
 * {@link ContrastiveLoss}). CCL takes three passes over an \(N \times N\) score matrix
 * {@code s}, one work item per row or column:
 * <ol>
 *   <li>{@link #STATISTICS} (\(2N\) items): for row \(i\) (items \(0..N-1\)) and column \(j\)
 *       (items \(N..2N-1\)) the largest \(z = s/\tau\), its index, \(\sum e^{z - \max}\) and that
 *       sum without the largest term, so that \(1 - p\) of the largest entry is
 *       {@code rest / norm}, not a cancelling {@code 1 - p};</li>
 *   <li>{@link #ROWS} (\(N\) items): image \(i\)'s terms: the loss \(\sum_{j \ne i} \phi(p_{ij})\)
 *       into {@code rowLoss[i]} and the row direction's \(\partial L/\partial z_{ij} = u_j(1-p_j) -
 *       p_j \sum_{l \ne j} u_l\), \(u = M p \phi'(p)\), into {@code g};</li>
 *   <li>{@link #COLUMNS} (\(N\) items): text \(j\)'s terms likewise, added to {@code g}, which is
 *       then scaled by \(1 / (N\tau)\).</li>
 * </ol>
 * InfoNCE takes the statistics pass and {@link #CONTRASTIVE} (\(N\) items): row \(i\)'s
 * \(\partial L/\partial S_{ij} = (p_{ij} + q_{ij} - 2\delta_{ij})/(N\tau)\), the diagonal as
 * \(-((1 - p_{ii}) + (1 - q_{ii}))\) from the complements, and the loss term
 * \(-(\log p_{ii} + \log q_{ii})\) in the log domain into {@code rowLoss[i]}.
 * The bound is {@code bound} (0 MAE, 1 LOG, 2 EXP, 3 GCE with exponent {@code q}, 4 TAN). The log
 * bound's \(-\log(1-p)\) is summed by its series below \(p = 10^{-3}\) (as on the CPU), GCE's
 * \((1 - (1-p)^q)/q\) by its two-term series there: direct forms lose all their digits in float32.
 */
final class TwoWaySoftmaxKernel extends Kernel {

    static final int STATISTICS = 0;
    static final int ROWS = 1;
    static final int COLUMNS = 2;
    static final int CONTRASTIVE = 3;

    float[] s;
    float[] g;
    float[] rowMax;
    float[] rowNorm;
    float[] rowRest;
    int[] rowArg;
    float[] colMax;
    float[] colNorm;
    float[] colRest;
    int[] colArg;
    float[] rowLoss;
    float[] colLoss;
    int n;
    int pass;
    int bound;
    float q;
    float invTau;
    float scale;

    // Aparapi translates this bytecode to OpenCL C; its decompiler rejects some nestings of
    // if/else ("child list broken"), so the branches below are flat ifs without else.
    @Override
    public void run() {
        int k = getGlobalId();
        if (pass == STATISTICS) {
            if (k < 2 * n) {
                statistics(k);
            }
        }
        if (pass == ROWS) {
            if (k < n) {
                rowTerms(k);
            }
        }
        if (pass == COLUMNS) {
            if (k < n) {
                columnTerms(k);
            }
        }
        if (pass == CONTRASTIVE) {
            if (k < n) {
                contrastive(k);
            }
        }
    }

    /** InfoNCE's row {@code i}: the gradient entries of both directions and the two log terms of pair (i, i). */
    private void contrastive(int i) {
        int base = i * n;
        float best = rowMax[i];
        float norm = rowNorm[i];
        for (int j = 0; j < n; j++) {
            float z = s[base + j] * invTau;
            float p = exp(z - best) / norm;
            float q = exp(z - colMax[j]) / colNorm[j];
            float v = p + q;
            if (j == i) {
                float cp = 1f - p;
                if (rowArg[i] == i) {
                    cp = rowRest[i] / norm;
                }
                float cq = 1f - q;
                if (colArg[i] == i) {
                    cq = colRest[i] / colNorm[i];
                }
                v = -(cp + cq);
            }
            g[base + j] = v * scale;
        }
        float zii = s[base + i] * invTau;
        rowLoss[i] = -((zii - best - log(norm)) + (zii - colMax[i] - log(colNorm[i])));
    }

    /** Row {@code k} (for {@code k < n}) or column {@code k - n}: its softmax statistics. */
    private void statistics(int k) {
        int column = k / n;                        // 0: a row, 1: a column
        int index = k - column * n;
        int start = index * n * (1 - column) + index * column;
        int stride = 1 + column * (n - 1);
        float best = s[start] * invTau;
        int arg = 0;
        for (int l = 1; l < n; l++) {
            float z = s[start + l * stride] * invTau;
            if (z > best) {
                best = z;
                arg = l;
            }
        }
        float rest = 0f;
        for (int l = 0; l < n; l++) {
            float e = exp(s[start + l * stride] * invTau - best);
            if (l != arg) {
                rest += e;
            }
        }
        if (column == 0) {
            rowMax[index] = best;
            rowArg[index] = arg;
            rowRest[index] = rest;
            rowNorm[index] = 1f + rest;
        }
        if (column == 1) {
            colMax[index] = best;
            colArg[index] = arg;
            colRest[index] = rest;
            colNorm[index] = 1f + rest;
        }
    }

    private void rowTerms(int i) {
        int base = i * n;
        float best = rowMax[i];
        float norm = rowNorm[i];
        float topC = rowRest[i] / norm;
        int top = rowArg[i];
        float restU = 0f;
        float topU = 0f;
        float loss = 0f;
        for (int j = 0; j < n; j++) {
            float p = exp(s[base + j] * invTau - best) / norm;
            float c = 1f - p;
            if (j == top) {
                c = topC;
            }
            if (j != i) {
                loss += value(p, c);
                float u = pTimesDerivative(p, c);
                if (j == top) {
                    topU = u;
                }
                if (j != top) {
                    restU += u;
                }
            }
        }
        rowLoss[i] = loss;
        for (int j = 0; j < n; j++) {
            float p = exp(s[base + j] * invTau - best) / norm;
            float c = 1f - p;
            if (j == top) {
                c = topC;
            }
            float u = 0f;
            if (j != i) {
                u = pTimesDerivative(p, c);
            }
            float others = restU - u + topU;
            if (j == top) {
                others = restU;
            }
            g[base + j] = u * c - p * others;
        }
    }

    private void columnTerms(int j) {
        float best = colMax[j];
        float norm = colNorm[j];
        float topC = colRest[j] / norm;
        int top = colArg[j];
        float restU = 0f;
        float topU = 0f;
        float loss = 0f;
        for (int i = 0; i < n; i++) {
            float p = exp(s[i * n + j] * invTau - best) / norm;
            float c = 1f - p;
            if (i == top) {
                c = topC;
            }
            if (i != j) {
                loss += value(p, c);
                float u = pTimesDerivative(p, c);
                if (i == top) {
                    topU = u;
                }
                if (i != top) {
                    restU += u;
                }
            }
        }
        colLoss[j] = loss;
        for (int i = 0; i < n; i++) {
            float p = exp(s[i * n + j] * invTau - best) / norm;
            float c = 1f - p;
            if (i == top) {
                c = topC;
            }
            float u = 0f;
            if (i != j) {
                u = pTimesDerivative(p, c);
            }
            float others = restU - u + topU;
            if (i == top) {
                others = restU;
            }
            g[i * n + j] = (g[i * n + j] + u * c - p * others) * scale;
        }
    }

    /** \(\phi(p)\) given \(c = 1 - p\) (Eq. 14-18). */
    private float value(float p, float c) {
        float v = p;                                  // MAE
        if (bound == 1) {
            v = -log(c);
            if (p < 1e-3f) {
                v = p * (1f + p * (0.5f + p * (0.33333334f + p * 0.25f)));
            }
        }
        if (bound == 2) {
            v = exp(-c);
        }
        if (bound == 3) {
            v = (1f - pow(c, q)) / q;
            if (p < 1e-3f) {
                v = p * (1f + 0.5f * (1f - q) * p);
            }
        }
        if (bound == 4) {
            v = tan(p);
        }
        return v;
    }

    /** \(p\,\phi'(p)\) given \(c = 1 - p\). */
    private float pTimesDerivative(float p, float c) {
        float u = p;                                  // MAE
        if (bound == 1) {
            u = p / c;
        }
        if (bound == 2) {
            u = p * exp(-c);
        }
        if (bound == 3) {
            u = p * pow(c, q - 1f);
        }
        if (bound == 4) {
            float cs = cos(p);
            u = p / (cs * cs);
        }
        return u;
    }
}
