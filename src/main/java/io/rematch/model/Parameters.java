package io.rematch.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * All trainable values of a model in one flat {@code double[]}, with their gradients in a second
 * one of the same layout: layers read and write their slices in place, and the optimiser steps
 * the whole vector at once (no copies per step).
 *
 * <p>Slices are {@link #reserve reserved} while the model is built; the arrays are allocated on
 * the first call to {@link #values()} or {@link #gradients()}, after which the layout is fixed.
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

    private final List<Slice> slices = new ArrayList<>();
    private int size;
    private double[] values;
    private double[] gradients;

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

    /** The values, shared (allocating them on first use). */
    public double[] values() {
        allocate();
        return values;
    }

    /** The gradients \(\partial L/\partial\theta\), shared, same layout as {@link #values()}. */
    public double[] gradients() {
        allocate();
        return gradients;
    }

    /** Sets every gradient to 0 (before a backward pass accumulates into them). */
    public void zeroGradients() {
        java.util.Arrays.fill(gradients(), 0);
    }

    /** The Euclidean norm of the whole gradient. */
    public double gradientNorm() {
        double sum = 0;
        for (double g : gradients()) {
            sum += g * g;
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales the gradient so that its norm is at most {@code maxNorm}, as PyTorch's
     * {@code clip_grad_norm_} does (which both releases call with 2.0): with total norm \(n\),
     * every gradient is multiplied by \(\min(1, \text{maxNorm} / (n + 10^{-6}))\).
     *
     * @return the norm before clipping
     */
    public double clipGradientNorm(double maxNorm) {
        double norm = gradientNorm();
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            double[] g = gradients();
            for (int k = 0; k < g.length; k++) {
                g[k] *= coefficient;
            }
        }
        return norm;
    }

    private void allocate() {
        if (values == null) {
            if (size == 0) {
                throw new IllegalStateException("no parameters were reserved");
            }
            values = new double[size];
            gradients = new double[size];
        }
    }
}
