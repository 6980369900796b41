package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;

/**
 * The per-probability terms of RCL's complementary contrastive losses (Hu et al., TPAMI 2023,
 * Section 3.3): MAE and its four upper bounds. Each is applied to the probability \(p\) that an
 * anchor matches one of its complementary (negative) candidates and is minimised by pushing
 * \(p\) to 0.
 *
 * <table>
 *   <caption>The terms and their derivatives</caption>
 *   <tr><th>kind</th><th>equation</th><th>\(\phi(p)\)</th><th>\(\phi'(p)\)</th></tr>
 *   <tr><td>MAE</td><td>Eq. 14</td><td>\(p\)</td><td>\(1\)</td></tr>
 *   <tr><td>LOG</td><td>Eq. 15</td><td>\(-\log(1-p)\)</td><td>\(1/(1-p)\)</td></tr>
 *   <tr><td>EXP</td><td>Eq. 16</td><td>\(e^{-(1-p)}\)</td><td>\(e^{-(1-p)}\)</td></tr>
 *   <tr><td>GCE</td><td>Eq. 17</td><td>\((1-(1-p)^q)/q\)</td><td>\((1-p)^{q-1}\)</td></tr>
 *   <tr><td>TAN</td><td>Eq. 18</td><td>\(\tan p\)</td><td>\(1/\cos^2 p\)</td></tr>
 * </table>
 *
 * <p>The bounds rest on the inequalities \(x \le -\log(1-x)\), \(x \le e^{-(1-x)}\),
 * \(x \le (1-(1-x)^q)/q\) for \(q \in (0, 1]\) and \(x \le \tan x\) on \([0, 1)\). GCE tends to
 * LOG as \(q \to 0\) and equals MAE at \(q = 1\). In {@link Mode#FAITHFUL} LOG and GCE use
 * \(1 - p + 10^{-10}\), as the release does.
 *
 * <p><b>Stable evaluation.</b> GCE is evaluated as \(-\mathrm{expm1}(q \log(1-p))/q\), which
 * equals \((1-(1-p)^q)/q\) but does not cancel for small \(q\) (the direct form gives 0 at
 * \(q = 10^{-300}\), where the value is the log bound's). Where \(1 - p\) itself underflows
 * (a saturated softmax row), {@link #valueFromLog} and {@link #logPTimesDerivative} take
 * \(\log p\) and \(\log(1-p)\) instead, finite wherever the math is.
 *
 * @param kind which term
 * @param q    GCE's exponent in (0, 1]; ignored by the other kinds (RCL's training scripts pass
 *             their {@code --margin} option, default 0.2, as q)
 */
public record ComplementaryBound(Kind kind, double q) {

    /** The five terms. */
    public enum Kind { MAE, LOG, EXP, GCE, TAN }

    /** Validates q for GCE. */
    public ComplementaryBound {
        if (kind == null) {
            throw new IllegalArgumentException("bound kind is missing");
        }
        if (kind == Kind.GCE) {
            Checks.inHalfOpen("q", q, 0.0, 1.0);
        }
    }

    /** Eq. 14: MAE. */
    public static ComplementaryBound mae() {
        return new ComplementaryBound(Kind.MAE, 1.0);
    }

    /** Eq. 15: \(-\log(1-p)\), RCL's default. */
    public static ComplementaryBound log() {
        return new ComplementaryBound(Kind.LOG, 0.0);
    }

    /** Eq. 16: \(e^{-(1-p)}\). */
    public static ComplementaryBound exp() {
        return new ComplementaryBound(Kind.EXP, 0.0);
    }

    /** Eq. 17: \((1-(1-p)^q)/q\), \(q \in (0,1]\). */
    public static ComplementaryBound gce(double q) {
        return new ComplementaryBound(Kind.GCE, q);
    }

    /** Eq. 18: \(\tan p\). */
    public static ComplementaryBound tan() {
        return new ComplementaryBound(Kind.TAN, 0.0);
    }

    /** \(\phi(p)\) for a bare probability (\(1 - p\) formed directly). */
    public double value(double p) {
        return value(p, 1.0 - p, Mode.STABLE);
    }

    /**
     * \(\phi(p)\).
     *
     * @param p         the probability
     * @param oneMinusP \(1 - p\), accurate even when \(p \to 1\) (see
     *                  {@link io.rematch.prob.SoftmaxStatistics#rowComplement})
     * @param mode      stable or faithful (release) formulas
     */
    public double value(double p, double oneMinusP, Mode mode) {
        switch (kind) {
            case MAE:
                return p;
            case LOG:
                return mode == Mode.FAITHFUL ? -Math.log(oneMinusP + Mode.RELEASE_EPSILON) : -Math.log(oneMinusP);
            case EXP:
                return Math.exp(-oneMinusP);
            case GCE:
                return mode == Mode.FAITHFUL
                        ? (1.0 - Math.pow(oneMinusP + Mode.RELEASE_EPSILON, q)) / q
                        : gce(q, Math.log(oneMinusP));
            default:
                return Math.tan(p);
        }
    }

    /**
     * \(\phi(p)\) from \(p\) and \(\log(1-p)\) (stable arithmetic), for \(1 - p\) below the
     * double range: LOG \(-\log(1-p)\), EXP \(e^{-e^{\log(1-p)}}\), GCE
     * \(-\mathrm{expm1}(q\log(1-p))/q\).
     */
    public double valueFromLog(double p, double logOneMinusP) {
        switch (kind) {
            case MAE:
                return p;
            case LOG:
                return -logOneMinusP;
            case EXP:
                return Math.exp(-Math.exp(logOneMinusP));
            case GCE:
                return gce(q, logOneMinusP);
            default:
                return Math.tan(p);
        }
    }

    /**
     * \((1 - e^{qL})/q = -\mathrm{expm1}(qL)/q\) for \(L = \log(1-p) \le 0\); where \(|qL| < 10^{-5}\)
     * as \(-L(1 + x/2 + x^2/6)\), \(x = qL\), whose truncation is below \(10^{-16}\) relative and which
     * never forms \(qL\) alone (it would be subnormal, i.e. imprecise, for \(q = 10^{-300}\)).
     */
    private static double gce(double q, double logOneMinusP) {
        double x = q * logOneMinusP;
        if (Math.abs(x) < 1e-5) {
            return -logOneMinusP * (1 + x * (0.5 + x / 6));
        }
        return -Math.expm1(x) / q;
    }

    /**
     * \(\log(p\,\phi'(p))\) from \(\log p\) and \(\log(1-p)\) (stable arithmetic): MAE
     * \(\log p\), LOG \(\log p - \log(1-p)\), EXP \(\log p - (1-p)\), GCE
     * \(\log p + (q-1)\log(1-p)\), TAN \(\log p - 2\log\cos p\). Finite where \(p\,\phi'(p)\)
     * itself overflows (LOG and GCE at \(p \to 1\)).
     */
    public double logPTimesDerivative(double logP, double logOneMinusP) {
        switch (kind) {
            case MAE:
                return logP;
            case LOG:
                return logP - logOneMinusP;
            case EXP:
                return logP - Math.exp(logOneMinusP);
            case GCE:
                return logP + (q - 1.0) * logOneMinusP;
            default:
                return logP - 2.0 * Math.log(Math.cos(Math.exp(logP)));
        }
    }

    /**
     * \(p\,\phi'(p)\), the factor the softmax Jacobian needs (arguments as {@link #value}).
     */
    public double pTimesDerivative(double p, double oneMinusP, Mode mode) {
        switch (kind) {
            case MAE:
                return p;
            case LOG:
                return p / (mode == Mode.FAITHFUL ? oneMinusP + Mode.RELEASE_EPSILON : oneMinusP);
            case EXP:
                return p * Math.exp(-oneMinusP);
            case GCE: {
                double base = mode == Mode.FAITHFUL ? oneMinusP + Mode.RELEASE_EPSILON : oneMinusP;
                return p * Math.pow(base, q - 1.0);
            }
            default: {
                double c = Math.cos(p);
                return p / (c * c);
            }
        }
    }

    /**
     * \(\log(p\,\phi'(p)\,(1-p))\), the first term of the softmax gradient, in closed form so
     * that it stays finite where \(\log(p\phi'(p))\) and \(\log(1-p)\) are infinite with
     * opposite signs (LOG: \(\log p\); GCE: \(\log p + q\log(1-p)\); ...).
     */
    public double logPTimesDerivativeTimesComplement(double logP, double logOneMinusP) {
        switch (kind) {
            case MAE:
                return logP + logOneMinusP;
            case LOG:
                return logP;
            case EXP:
                return logP - Math.exp(logOneMinusP) + logOneMinusP;
            case GCE:
                return logP + q * logOneMinusP;
            default:
                return logP - 2.0 * Math.log(Math.cos(Math.exp(logP))) + logOneMinusP;
        }
    }

    /** The command-line name suffix: {@code mae, log, exp, gce, tan}. */
    public String shortName() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
