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
        if (precision == Precision.FLOAT32) {
            computeGradients.copyTo(0, gradients, 0, size);
        }
        return gradients;
    }

    /** Sets every gradient to 0 (before a backward pass accumulates into them). */
    public void zeroGradients() {
        allocate();
        computeGradients.zero(size);
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

    /** Adds float32 gradients computed elsewhere (a device) to the accumulated ones. */
    void addGradients(float[] g) {
        allocate();
        if (computeGradients instanceof Tensor.F32 f) {
            for (int k = 0; k < size; k++) {
                f.a[k] += g[k];
            }
        } else {
            for (int k = 0; k < size; k++) {
                gradients[k] += g[k];
            }
        }
    }

    Tensor computeValues() {
        allocate();
        return computeValues;
    }

    Tensor computeGradients() {
        allocate();
        return computeGradients;
    }

    /**
     * One optimiser step on the accumulated gradients: gradient-norm clipping at {@code maxNorm}
     * and Adam, in float64 on the master values (the float32 copy refreshed in the same pass).
     *
     * @return the gradient norm before clipping
     */
    public double step(io.rematch.optim.Adam adam, double maxNorm) {
        allocate();
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
