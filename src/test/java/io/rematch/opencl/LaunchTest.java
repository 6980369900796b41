package io.rematch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.Kernel;
import com.aparapi.Range;
import org.junit.jupiter.api.Test;

/** A launch is checked to have run on the device: Aparapi's silent fallback is caught. */
class LaunchTest {

    /** Doubles each entry: builds and runs on any OpenCL device. */
    static final class Twice extends Kernel {
        float[] a;
        int n;

        @Override
        public void run() {
            int i = getGlobalId();
            if (i < n) {
                a[i] = 2f * a[i];
            }
        }
    }

    /** Reads a Java object: Aparapi cannot translate it to OpenCL and falls back. */
    static final class Unbuildable extends Kernel {
        float[] a = new float[64];
        final StringBuilder text = new StringBuilder("x");

        @Override
        public void run() {
            a[getGlobalId()] = text.length();
        }
    }

    @Test
    void aKernelThatBuildsRunsOnTheDevice() {
        OpenClDevice dev = OpenClTesting.device();
        Twice k = Launch.prepare(new Twice(), dev);
        try {
            k.n = 100;
            k.a = new float[100];
            for (int i = 0; i < 100; i++) {
                k.a[i] = i;
            }
            Launch.put(k, k.a, dev, "a");
            Launch.run(k, Range.create(dev.aparapi(), Launch.padded(100, 64), 64), dev, "twice");
            Launch.get(k, k.a, dev, "a");
            assertTrue(k.isRunningCL());
            assertEquals(198f, k.a[99]);
        } finally {
            k.dispose();
        }
    }

    @Test
    void aKernelThatDoesNotBuildIsADeviceFailureNotAQuietFallback() {
        OpenClDevice dev = OpenClTesting.device();
        Unbuildable k = Launch.prepare(new Unbuildable(), dev);
        try {
            DeviceFailure e = assertThrows(DeviceFailure.class,
                    () -> Launch.run(k, Range.create(dev.aparapi(), 64, 64), dev, "the unbuildable kernel"));
            assertTrue(e.getMessage().startsWith("the unbuildable kernel did not run on " + dev.name() + " (OpenCL)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Using java objects inside kernels is not supported"), e.getMessage());
        } finally {
            k.dispose();
        }
    }

    @Test
    void paddedRoundsUpToTheGroup() {
        assertEquals(64, Launch.padded(0, 64));
        assertEquals(64, Launch.padded(64, 64));
        assertEquals(128, Launch.padded(65, 64));
    }
}
