package io.rematch.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * All trainable values of a model in one flat {@code double[]}, with their gradients in a second
 * one of the same layout: layers read and write their slices in place, and the optimiser steps
 * the whole vector at once (no copies per step in float64).
 *
 * <p>In {@link Precision#FLOAT32} the layers compute on a float32 copy of the values and
 * accumulate float32 gradients; {@link #valuesChanged()} refreshes the copy after the float64
 * master values change, and {@link #gradients()} widens the float32 gradients first. In float64
 * both are the master arrays themselves.
 *
 * <p>Slices are {@link #reserve reserved} while the model is built; the arrays are allocated on
 * first use, after which the layout is fixed.
 */
public final class Parameters {

    /**
     * One named slice: a {@code rows x cols} row-major matrix (a vector has one row).
     *
     * @param name   e.g. {@code image.0.weight}
     * @param offset where the slice starts in {@link #values()}
     */
    public record Slice(String name, int offset, int rows, int cols) {

        /** {@code rows * cols}. */
        public int size() {
            return rows * cols;
        }
    }

    private final Precision precision;
    private final List<Slice> slices = new ArrayList<>();
    private int size;
    private double[] values;
    private double[] gradients;
    private Tensor computeValues;
    private Tensor computeGradients;
    private long version;
    private Remote remote;
    // zeroGradients while a remote was attached: the host's zeroing waits until they are read
    private boolean zeroPending;

    /**
     * A device that trains these parameters where they are ({@link DeviceTowers}): it may hold
     * newer values and gradients than the host's, and writes them back here ({@link #pulled},
     * {@link #pulledGradients}) when the host reads them. Each method is a no-op when the host's
     * copy is current.
     */
    interface Remote {
        /** Writes the device's values here if they are newer. */
        void pullValues();

        /** Writes the device's accumulated gradients here if they are newer. */
        void pullGradients();

        /** Zeroes the device's accumulated gradients (the host's are zeroed by the caller). */
        void zeroGradients();

        /** {@link Parameters#step} on the device (or, if the device fails, on the host). */
        double step(io.rematch.optim.Adam adam, double maxNorm);
    }

    public Parameters(Precision precision) {
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    /**
     * Reserves a {@code rows x cols} slice.
     *
     * @throws IllegalStateException once the arrays are allocated
     */
    public Slice reserve(String name, int rows, int cols) {
        if (values != null) {
            throw new IllegalStateException("the parameters are allocated; reserve every slice before training");
        }
        if (rows < 1 || cols < 1 || (long) size + (long) rows * cols > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(name + ": a " + rows + " x " + cols + " slice does not fit");
        }
        Slice s = new Slice(name, size, rows, cols);
        slices.add(s);
        size += rows * cols;
        return s;
    }

    /** The number of values. */
    public int size() {
        return size;
    }

    /** The slices, in reservation order. */
    public List<Slice> slices() {
        return Collections.unmodifiableList(slices);
    }

    /**
     * The float64 master values, shared. Call {@link #valuesChanged()} after writing them.
     */
    public double[] values() {
        allocate();
        pullValues();
        return values;
    }

    /** Copies changed master values to the compute precision (a no-op in float64). */
    public void valuesChanged() {
        allocate();
        version++;
        if (precision == Precision.FLOAT32) {
            computeValues.copyFrom(values, 0, 0, size);
        }
    }

    /**
     * The gradients \(\partial L/\partial\theta\) accumulated since {@link #zeroGradients()}, in
     * float64 (widened from float32 in that precision), same layout as {@link #values()}.
     */
    public double[] gradients() {
        allocate();
        settleGradients();
        if (precision == Precision.FLOAT32) {
            computeGradients.copyTo(0, gradients, 0, size);
        }
        return gradients;
    }

    /** Sets every gradient to 0 (before a backward pass accumulates into them). */
    public void zeroGradients() {
        allocate();
        Remote r = remote;
        if (r != null) {
            r.zeroGradients();
            zeroPending = true;     // 3.4 million floats, a millisecond a step, that the device's steps never read
        } else {
            computeGradients.zero(size);
        }
    }

    /** A count that changes whenever the values do ({@link #valuesChanged()}, {@link #step}). */
    long version() {
        return version;
    }

    /** The values in float32 into {@code out} (the compute copy in float32, narrowed in float64). */
    void float32Values(float[] out) {
        allocate();
        if (computeValues instanceof Tensor.F32 f) {
            System.arraycopy(f.a, 0, out, 0, size);
        } else {
            for (int k = 0; k < size; k++) {
                out[k] = (float) values[k];
            }
        }
    }

    /** From now on {@code r} may hold newer values and gradients than the host ({@code null}: none does). */
    void attach(Remote r) {
        remote = r;
    }

    /** Whether {@code r} is the attached remote. */
    boolean attached(Remote r) {
        return remote == r;
    }

    /**
     * Writes float32 values held on a device into the master values (widened, exactly) and the
     * compute copy. The version is kept: the device already holds these values.
     */
    void pulled(float[] w) {
        allocate();
        for (int k = 0; k < size; k++) {
            values[k] = w[k];
        }
        if (precision == Precision.FLOAT32) {
            computeValues.copyFrom(values, 0, 0, size);
        }
    }

    /** Replaces the accumulated gradients with float32 ones accumulated on a device. */
    void pulledGradients(float[] g) {
        allocate();
        zeroPending = false;
        if (computeGradients instanceof Tensor.F32 f) {
            System.arraycopy(g, 0, f.a, 0, size);
        } else {
            for (int k = 0; k < size; k++) {
                gradients[k] = g[k];
            }
        }
    }

    /** The remote's newer gradients, else a zeroing that was put off. */
    private void settleGradients() {
        Remote r = remote;
        if (r != null) {
            r.pullGradients();
        }
        if (zeroPending) {
            zeroPending = false;
            computeGradients.zero(size);
        }
    }

    private void pullValues() {
        Remote r = remote;
        if (r != null) {
            r.pullValues();
        }
    }

    Tensor computeValues() {
        allocate();
        pullValues();
        return computeValues;
    }

    Tensor computeGradients() {
        allocate();
        settleGradients();
        return computeGradients;
    }

    /**
     * One optimiser step on the accumulated gradients: gradient-norm clipping at {@code maxNorm}
     * and Adam, in float64 on the master values (the float32 copy refreshed in the same pass); or,
     * while a device trains these parameters ({@link DeviceTowers}), in float32 on the device's
     * values, gradients and moments, which stay there.
     *
     * @return the gradient norm before clipping
     */
    public double step(io.rematch.optim.Adam adam, double maxNorm) {
        allocate();
        Remote r = remote;
        if (r != null) {
            return r.step(adam, maxNorm);
        }
        return hostStep(adam, maxNorm);
    }

    /** {@link #step} on the host, whatever device is attached (after its values and gradients are pulled). */
    double hostStep(io.rematch.optim.Adam adam, double maxNorm) {
        allocate();
        pullValues();
        settleGradients();
        version++;
        if (precision == Precision.FLOAT64) {
            return adam.stepWithClipping(values, gradients, maxNorm);
        }
        return adam.stepWithClipping(values, ((Tensor.F32) computeGradients).a, maxNorm,
                ((Tensor.F32) computeValues).a, gradients);
    }

    private void allocate() {
        if (values == null) {
            if (size == 0) {
                throw new IllegalStateException("no parameters were reserved");
            }
            values = new double[size];
            gradients = new double[size];
            if (precision == Precision.FLOAT64) {
                computeValues = new Tensor.F64(values);
                computeGradients = new Tensor.F64(gradients);
            } else {
                computeValues = precision.allocate(size);
                computeGradients = precision.allocate(size);
            }
        }
    }
}
