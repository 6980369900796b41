package io.rematch.loss;

import com.aparapi.Kernel;

/**
 * The hinge-based triplet ranking losses (TR, TR-HN and L2RM's mean form; {@link TripletRankingLoss})
 * on an OpenCL device, float32. With \(d_i = S_{ii}\) and margin \(\alpha\), the image query
 * \(i\)'s costs are \(c^s_{ij} = [\alpha + S_{ij} - d_i]_+\) and the text query \(j\)'s
 * \(c^{im}_{ij} = [\alpha + S_{ij} - d_j]_+\), \(i \ne j\). Two passes over an \(N \times N\)
 * score matrix {@code s}:
 * <ol>
 *   <li>{@link #HINGES} (\(2N\) items: rows \(0..N-1\), then columns): each query's sum of its
 *       positive costs and how many there are (SUM, MEAN), or its largest cost and the first index
 *       that attains it (HARDEST, -1 where no cost is positive), into {@code rowLoss}/{@code rowArg}
 *       and {@code colLoss}/{@code colArg};</li>
 *   <li>{@link #ACTIVE} (\(N^2\) items, SUM and MEAN only): entry \((i, j)\), \(i \ne j\), gets
 *       how many of its two hinges are active, \([c^s_{ij} > 0] + [c^{im}_{ij} > 0]\), and the
 *       diagonal \(-(\text{row } i\text{'s count} + \text{column } i\text{'s count})\).</li>
 * </ol>
 * The counts are small integers, exact in float32: the host multiplies them by the aggregation's
 * weight in float64, so the (sub)gradient is the CPU's wherever float32 rounding does not move a
 * cost across 0. HARDEST's gradient has two entries per query, which the host sets from the
 * indices. The costs are evaluated as the CPU does, \((\alpha + S_{ij}) - d_i\).
 */
final class TripletKernel extends Kernel {

    static final int HINGES = 0;
    static final int ACTIVE = 1;

    float[] s;
    float[] g;
    float[] rowLoss;
    float[] colLoss;
    int[] rowArg;
    int[] colArg;
    int n;
    int pass;
    int hardest;
    float margin;

    // flat ifs without else: Aparapi's decompiler rejects some if/else nestings
    @Override
    public void run() {
        int k = getGlobalId();
        if (pass == HINGES) {
            if (k < 2 * n) {
                hinges(k);
            }
        }
        if (pass == ACTIVE) {
            if (k < n * n) {
                active(k);
            }
        }
    }

    /** Row {@code k} (for {@code k < n}) or column {@code k - n}: its costs' sum and count, or maximum and index. */
    private void hinges(int k) {
        int column = k / n;                        // 0: an image query (a row), 1: a text query (a column)
        int index = k - column * n;
        int start = index * n * (1 - column) + index * column;
        int stride = 1 + column * (n - 1);
        float d = s[index * n + index];
        float sum = 0f;
        int count = 0;
        float best = 0f;
        int arg = -1;
        for (int l = 0; l < n; l++) {
            float c = margin + s[start + l * stride] - d;
            if (l != index && c > 0f) {
                sum += c;
                count++;
                if (c > best) {
                    best = c;
                    arg = l;
                }
            }
        }
        float value = sum;
        int tag = count;
        if (hardest == 1) {
            value = best;
            tag = arg;
        }
        if (column == 0) {
            rowLoss[index] = value;
            rowArg[index] = tag;
        }
        if (column == 1) {
            colLoss[index] = value;
            colArg[index] = tag;
        }
    }

    /** Entry {@code t = i n + j}: how many of its hinges are active (the diagonal: minus its row's and column's counts). */
    private void active(int t) {
        int i = t / n;
        int j = t - i * n;
        float v = 0f;
        if (i != j) {
            float sij = s[t];
            if (margin + sij - s[i * n + i] > 0f) {
                v += 1f;
            }
            if (margin + sij - s[j * n + j] > 0f) {
                v += 1f;
            }
        }
        if (i == j) {
            v = (float) (0 - rowArg[i] - colArg[i]);   // an int first: 0, never -0
        }
        g[t] = v;
    }
}
