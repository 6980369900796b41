package io.rematch.split;

/** The E-step and the input checks shared by the two mixture fits. */
final class Mixtures {

    private Mixtures() {
    }

    /** Responsibilities r[k][i] of the model; returns the total log-likelihood. */
    static double eStep(TwoComponentMixture model, double[] x, double[][] r) {
        double lw0 = Math.log(model.weight(0)), lw1 = Math.log(model.weight(1));
        double ll = 0;
        for (int i = 0; i < x.length; i++) {
            double a = lw0 + model.logDensity(0, x[i]);
            double b = lw1 + model.logDensity(1, x[i]);
            double top = Math.max(a, b);
            double lse = top + Math.log1p(Math.exp(Math.min(a, b) - top));
            r[0][i] = Math.exp(a - lse);
            r[1][i] = Math.exp(b - lse);
            ll += lse;
        }
        return ll;
    }

    /** Throws unless x has at least two values, not all equal. */
    static void checkSplittable(String name, double[] x) {
        if (x.length < 2) {
            throw new IllegalArgumentException(name + " has " + x.length + " value(s); a two-component fit needs at least 2");
        }
        for (double v : x) {
            if (v != x[0]) {
                return;
            }
        }
        throw new IllegalArgumentException("all " + x.length + " values of " + name + " equal " + x[0]
                + ": nothing to separate");
    }
}
