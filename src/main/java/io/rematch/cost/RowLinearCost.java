package io.rematch.cost;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * L2RM's learnable cost as released (Han et al., CVPR 2024, Eq. 7; {@code models.py} commit
 * a766c22, {@code FeedForward_Network}): a fully connected layer and a ReLU applied to each row
 * \(s = S_{i\cdot}\) of the similarity matrix (image \(i\) of the queue against the \(B\)
 * captions of the batch):
 * \[ C_{i\cdot} = \mathrm{ReLU}(W s + b), \qquad C_{ik} = \Big[\sum_{j} W_{kj} S_{ij} + b_k\Big]_+ , \]
 * \(W \in \mathbb R^{B\times B}\) initialised to \(-I\) and \(b\) to \(\mathbf 1\), so that
 * \(C = \mathrm{ReLU}(1 - S)\) at the start.
 *
 * <p><b>Gradient.</b> With the pre-activation \(Z = S W^\top + \mathbf 1 b^\top\) and upstream
 * \(U = \partial L/\partial C\), \(G = U \odot [Z > 0]\) (PyTorch's ReLU passes no gradient at
 * exactly 0), \(\partial L/\partial W = G^\top S\) and \(\partial L/\partial b_k = \sum_i G_{ik}\).
 * Parameters are laid out as \(W\) row-major (\(B^2\) entries), then \(b\) (\(B\)).
 *
 * <p><b>Order dependence.</b> \(W\) mixes the entries of a row: the cost of pair \((i, k)\)
 * depends on the similarities of image \(i\) to all captions, weighted by caption <em>slot</em>.
 * Permuting the captions of a batch therefore changes the costs, not just their order, as soon as
 * \(W\) is no longer a multiple of a permutation-invariant matrix (hhc1997/L2RM issue #14, which
 * the authors confirmed: "changing the order of samples within a batch will correspondingly
 * alter the resulting cost matrix"). The images (rows) may be permuted freely: each row is mapped
 * on its own. {@link MonotoneElementwiseCost} is the equivariant alternative. The release also
 * computes in float32; this class in float64.
 */
public final class RowLinearCost implements LearnableCost {

    private final int size;
    private final DMatrixRMaj weight;
    private final double[] bias;

    /**
     * The release's initial cost: \(W = -I\), \(b = \mathbf 1\).
     *
     * @param batchSize \(B \ge 1\), the number of captions per row (128 in L2RM)
     */
    public RowLinearCost(int batchSize) {
        this.size = Checks.atLeast("batchSize", batchSize, 1);
        weight = new DMatrixRMaj(size, size);
        bias = new double[size];
        for (int k = 0; k < size; k++) {
            weight.data[k * size + k] = -1;
            bias[k] = 1;
        }
    }

    /** \(B\), the row length this cost accepts. */
    public int batchSize() {
        return size;
    }

    @Override
    public DMatrixRMaj cost(DMatrixRMaj similarities) {
        DMatrixRMaj c = preActivation(similarities);
        for (int k = 0; k < c.getNumElements(); k++) {
            c.data[k] = Math.max(c.data[k], 0.0);
        }
        return c;
    }

    private DMatrixRMaj preActivation(DMatrixRMaj s) {
        Checks.finite("similarities", s);
        if (s.numCols != size) {
            throw new IllegalArgumentException("similarities must have " + size + " columns (the batch size of"
                    + " this cost), got " + s.numRows + " x " + s.numCols);
        }
        DMatrixRMaj z = new DMatrixRMaj(s.numRows, size);
        CommonOps_DDRM.multTransB(s, weight, z);
        for (int i = 0; i < s.numRows; i++) {
            for (int k = 0; k < size; k++) {
                z.data[i * size + k] += bias[k];
            }
        }
        return z;
    }

    @Override
    public double[] parameterGradient(DMatrixRMaj similarities, DMatrixRMaj upstream) {
        DMatrixRMaj z = preActivation(similarities);
        LearnableCost.checkUpstream(similarities, upstream);
        int rows = similarities.numRows;
        DMatrixRMaj gated = new DMatrixRMaj(rows, size);
        for (int k = 0; k < rows * size; k++) {
            gated.data[k] = z.data[k] > 0 ? upstream.data[k] : 0.0;
        }
        DMatrixRMaj dW = new DMatrixRMaj(size, size);
        CommonOps_DDRM.multTransA(gated, similarities, dW);
        double[] grad = new double[size * size + size];
        System.arraycopy(dW.data, 0, grad, 0, size * size);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < size; k++) {
                grad[size * size + k] += gated.data[i * size + k];
            }
        }
        return grad;
    }

    @Override
    public double[] parameters() {
        double[] p = new double[size * size + size];
        System.arraycopy(weight.data, 0, p, 0, size * size);
        System.arraycopy(bias, 0, p, size * size, size);
        return p;
    }

    @Override
    public void setParameters(double[] parameters) {
        if (parameters == null || parameters.length != size * size + size) {
            throw new IllegalArgumentException("parameters must have B^2 + B = " + (size * size + size)
                    + " entries (W row-major, then b), got " + (parameters == null ? "none" : parameters.length));
        }
        Checks.finite("parameters", parameters);
        System.arraycopy(parameters, 0, weight.data, 0, size * size);
        System.arraycopy(parameters, size * size, bias, 0, size);
    }

    /** A copy of \(W\) (\(B \times B\)). */
    public DMatrixRMaj weight() {
        return weight.copy();
    }

    /** A copy of \(b\). */
    public double[] bias() {
        return bias.clone();
    }

    @Override
    public String name() {
        return "row-linear";
    }
}
