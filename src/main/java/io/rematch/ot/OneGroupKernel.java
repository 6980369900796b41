package io.rematch.ot;

import com.aparapi.Kernel;

/**
 * What the transport kernels' one-work-group loops ({@code SOLVE}) share: the tree reductions of
 * the group in local memory and PoCL 3.1's workaround. The group is a power of two, at most
 * {@link #GROUP} items.
 */
abstract class OneGroupKernel extends Kernel {

    /** The most items of the one work-group (a power of two; the host may take fewer). */
    static final int GROUP = 1024;

    @Local
    final float[] partial = new float[GROUP];

    /** The sum of the group's {@code x} (a tree, fixed by the group size), seen by every item. */
    protected float reduceSum(int t, int size, float x) {
        partial[t] = x;
        localBarrier();
        for (int s = size / 2; s > 0; s = s / 2) {
            if (t < s) {
                partial[t] = partial[t] + partial[t + s];
            }
            localBarrier();
        }
        float out = partial[0];
        localBarrier();   // read by all before the next reduction writes
        return out;
    }

    /** The largest of the group's {@code x}, seen by every item. */
    protected float reduceMax(int t, int size, float x) {
        partial[t] = x;
        localBarrier();
        for (int s = size / 2; s > 0; s = s / 2) {
            if (t < s) {
                partial[t] = max(partial[t], partial[t + s]);
            }
            localBarrier();
        }
        float out = partial[0];
        localBarrier();
        return out;
    }

    /**
     * A use of the local id after the last barrier. Without one, PoCL 3.1 (the OpenCL of CI) ran
     * the code after a work-group's last barrier once per work item, each time as item 0.
     */
    protected void keepLocalId(int t) {
        partial[t] = 0f;
    }
}
