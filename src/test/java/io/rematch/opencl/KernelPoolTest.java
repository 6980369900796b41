package io.rematch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.aparapi.Kernel;
import com.aparapi.Range;
import io.rematch.model.DeviceSimilarities;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Kernels are built once and reused, come back as constructed, and a failed one is never reused. */
class KernelPoolTest {

    /** Adds {@code shift} to each entry. */
    static final class Shift extends Kernel {
        float[] a;
        int n;
        float shift;

        @Override
        public void run() {
            int i = getGlobalId();
            if (i < n) {
                a[i] = a[i] + shift;
            }
        }
    }

    /** Reads a Java object: Aparapi cannot build it and falls back, which {@link Launch} reports. */
    static final class Unbuildable extends Kernel {
        float[] a;
        final StringBuilder text = new StringBuilder("x");

        @Override
        public void run() {
            a[getGlobalId()] = text.length();
        }
    }

    /** Another class, so that the tests of the idle limit do not share a queue with the others. */
    static final class Idle extends Kernel {
        float[] a;

        @Override
        public void run() {
            a[getGlobalId()] = 1f;
        }
    }

    private static float[] shifted(OpenClDevice dev, Shift k, int n, float shift) {
        k.n = n;
        k.shift = shift;
        k.a = new float[n];
        for (int i = 0; i < n; i++) {
            k.a[i] = i;
        }
        Launch.put(k, k.a, dev, "a");
        Launch.run(k, Range.create(dev.aparapi(), Launch.padded(n, 64), 64), dev, "shift");
        Launch.get(k, k.a, dev, "a");
        return k.a;
    }

    @Test
    void aKernelIsReusedAndComesBackAsConstructed() {
        OpenClDevice dev = OpenClTesting.device();
        KernelPool.clear(dev);
        Shift first;
        try (KernelPool.Lease<Shift> lease = KernelPool.lease(dev, Shift.class, Shift::new)) {
            first = lease.kernel();
            assertEquals(1000.5f, shifted(dev, first, 1000, 1.5f)[999]);
        }
        assertEquals(1, KernelPool.idle(dev, Shift.class));
        assertNull(first.a, "the pool keeps no argument of the last call");
        assertEquals(0, first.n);
        assertEquals(0f, first.shift);
        long built = KernelPool.built();
        // shorter, then longer arrays than the first call's: each call's buffers are its own
        for (int n : new int[] {10, 5000, 1}) {
            try (KernelPool.Lease<Shift> lease = KernelPool.lease(dev, Shift.class, Shift::new)) {
                assertSame(first, lease.kernel());
                float[] out = shifted(dev, lease.kernel(), n, -2f);
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = i - 2f;
                }
                assertArrayEquals(expected, out, "n = " + n);
            }
        }
        assertEquals(built, KernelPool.built(), "no kernel was made again");
        KernelPool.clear(dev);
        assertEquals(0, KernelPool.idle(dev, Shift.class));
    }

    @Test
    void aKernelThatFailedIsDisposedNotReused() {
        OpenClDevice dev = OpenClTesting.device();
        Unbuildable failed;
        try (KernelPool.Lease<Unbuildable> lease = KernelPool.lease(dev, Unbuildable.class, Unbuildable::new)) {
            failed = lease.kernel();
            failed.a = new float[64];
            assertThrows(DeviceFailure.class,
                    () -> Launch.run(failed, Range.create(dev.aparapi(), 64, 64), dev, "the unbuildable kernel"));
        }
        assertEquals(0, KernelPool.idle(dev, Unbuildable.class));
        try (KernelPool.Lease<Unbuildable> lease = KernelPool.lease(dev, Unbuildable.class, Unbuildable::new)) {
            assertNotSame(failed, lease.kernel());
        }
        KernelPool.clear(dev);
    }

    @Test
    void leasesAtTheSameTimeHoldTheirOwnKernelsAndAtMostIdleAreKept() {
        OpenClDevice dev = OpenClTesting.device();
        KernelPool.clear(dev);
        List<KernelPool.Lease<Idle>> leases = new ArrayList<>();
        for (int k = 0; k < KernelPool.IDLE + 2; k++) {
            leases.add(KernelPool.lease(dev, Idle.class, Idle::new));
        }
        for (int k = 1; k < leases.size(); k++) {
            for (int j = 0; j < k; j++) {
                assertNotSame(leases.get(j).kernel(), leases.get(k).kernel());
            }
        }
        leases.forEach(KernelPool.Lease::close);
        assertEquals(KernelPool.IDLE, KernelPool.idle(dev, Idle.class));
        leases.get(0).close();     // a second close gives nothing back twice
        assertEquals(KernelPool.IDLE, KernelPool.idle(dev, Idle.class));
        KernelPool.clear(dev);
        assertEquals(0, KernelPool.idle(dev, Idle.class));
    }

    @Test
    void aHostClassBuildsItsKernelOnceAcrossCalls() {
        OpenClDevice dev = OpenClTesting.device();
        SplittableRandom r = new SplittableRandom(20261204L);
        float[] x = new float[37 * 19];
        float[] y = new float[53 * 19];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) r.nextDouble(-1, 1);
        }
        for (int k = 0; k < y.length; k++) {
            y[k] = (float) r.nextDouble(-1, 1);
        }
        DeviceSimilarities similarities = new DeviceSimilarities(dev, dev.maxAllocation());
        float[] once = similarities.compute(x, 37, y, 53, 19);
        long built = KernelPool.built();
        float[] twice = similarities.compute(x, 37, y, 53, 19);
        float[] smaller = similarities.compute(java.util.Arrays.copyOf(x, 5 * 19), 5,
                java.util.Arrays.copyOf(y, 3 * 19), 3, 19);
        assertEquals(built, KernelPool.built(), "the second and third calls reused the first call's kernel");
        assertArrayEquals(once, twice);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(once[i * 53 + j], smaller[i * 3 + j], "entry " + i + ", " + j);
            }
        }
    }

    @Test
    void twoThreadsLeasingAtOnceEachGetTheirOwnResults() throws Exception {
        OpenClDevice dev = OpenClTesting.device();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                float shift = t + 0.5f;
                done.add(threads.submit(() -> {
                    for (int call = 0; call < 20; call++) {
                        int n = 50 + 37 * call;
                        try (KernelPool.Lease<Shift> lease = KernelPool.lease(dev, Shift.class, Shift::new)) {
                            float[] out = shifted(dev, lease.kernel(), n, shift);
                            for (int i = 0; i < n; i++) {
                                if (out[i] != i + shift) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> f : done) {
                assertEquals(true, f.get(), "a thread saw another's arguments or results");
            }
        } finally {
            threads.shutdown();
        }
        KernelPool.clear(dev);
    }
}
