package io.rematch.rematch;

import io.rematch.check.Checks;
import io.rematch.cost.LearnableCost;
import io.rematch.cost.RowLinearCost;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportResult;
import io.rematch.ot.TransportSolver;
import org.ejml.data.DMatrixRMaj;

/**
 * L2RM's rematching step (Han et al., CVPR 2024, Section 3.2; training step B of the release,
 * hhc1997/L2RM a766c22, {@code SGRAF.forward} with {@code partial_ot}): the pairs judged noisy
 * form a batch of their own, and for it
 * <ol>
 *   <li>the similarities \(S\) (images x captions of the noisy batch) go through the learnable
 *       cost, \(C = \max(\mathrm{cost}(S), 10^{-10})\) ({@link LearnableCost#transportCost});</li>
 *   <li>a partial transport plan between uniform marginals moves mass \(s\), with the given
 *       (possibly wrong) pairs, the diagonal, forbidden ({@link MaskedPartialTransport});</li>
 *   <li>the plan is the soft target of the rematch loss, and its largest entry per row the caption
 *       it proposes for each image ({@link Result#proposals()}; -1 for a row the plan gives no mass).</li>
 * </ol>
 * The trainer and {@code rematch realign} both call this class. Not thread-safe when the cost is
 * trained between calls.
 */
public final class Rematching {

    private final LearnableCost cost;
    private final TransportSolver solver;

    /**
     * @param cost   the learnable cost (L2RM: {@link RowLinearCost}, initially \(\mathrm{ReLU}(1 - S)\))
     * @param solver the partial transport solver (L2RM: {@link MaskedPartialTransport})
     */
    public Rematching(LearnableCost cost, TransportSolver solver) {
        this.cost = Checks.present("cost", cost);
        this.solver = Checks.present("solver", solver);
    }

    /**
     * L2RM at the start of training: the cost \(\mathrm{ReLU}(1 - S)\) for a batch of
     * {@code batchSize} noisy pairs and its masked partial OT.
     *
     * @param batchSize the number of noisy pairs \(B \ge 1\)
     * @param reg       entropic regularisation (L2RM: 0.07)
     * @param mass      transported mass \(s \in (0, 1)\) (L2RM: 0.1)
     * @param mode      the solver's arithmetic
     * @param stopping  the solver's stopping rule
     */
    public static Rematching l2rmInitial(int batchSize, double reg, double mass, Mode mode, Stopping stopping) {
        return new Rematching(new RowLinearCost(batchSize), new MaskedPartialTransport(reg, mass, mode, stopping));
    }

    /** What one rematching produced. */
    public record Result(DMatrixRMaj cost, TransportResult transport, int[] proposals) {

        /** The transport plan: the rematch loss's soft targets. */
        public DMatrixRMaj plan() {
            return transport.plan();
        }

        /** How many rows got a proposal (a row with no plan mass gets none). */
        public int proposed() {
            int c = 0;
            for (int p : proposals) {
                c += p >= 0 ? 1 : 0;
            }
            return c;
        }
    }

    /**
     * Rematches a noisy batch.
     *
     * @param similarities \(B \times B\) similarities of the noisy batch; the diagonal holds the given pairs
     * @throws IllegalArgumentException naming {@code similarities} if it is not square and finite,
     *                                  or the solver's argument when the problem is malformed
     */
    public Result rematch(DMatrixRMaj similarities) {
        Checks.squareFinite("similarities", similarities);
        int n = similarities.numRows;
        DMatrixRMaj c = cost.transportCost(similarities);
        double[] uniform = new double[n];
        java.util.Arrays.fill(uniform, 1.0 / n);
        TransportResult t = solver.solve(c, uniform, uniform.clone(), PairMask.diagonal(n));
        return new Result(c, t, t.rowArgMax());
    }

    /**
     * The simplest alternative to a plan: for each row the most similar other column (ties to the
     * first), the baseline a rematching should beat.
     */
    public static int[] nearestOther(DMatrixRMaj similarities) {
        Checks.squareFinite("similarities", similarities);
        int n = similarities.numRows;
        int[] pick = new int[n];
        for (int r = 0; r < n; r++) {
            int best = -1;
            for (int c = 0; c < n; c++) {
                if (c != r && (best < 0 || similarities.get(r, c) > similarities.get(r, best))) {
                    best = c;
                }
            }
            pick[r] = best;
        }
        return pick;
    }
}
