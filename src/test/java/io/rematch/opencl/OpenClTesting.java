package io.rematch.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The OpenCL device the contract tests run on. Where there is none the tests are skipped with
 * the reason, unless {@code REMATCH_REQUIRE_OPENCL=1} (set by {@code .ci/run}, which installs
 * PoCL): then a missing device fails, so CI cannot go green without running the kernels.
 */
public final class OpenClTesting {

    private OpenClTesting() {
    }

    /** The first device (a GPU if there is one), or the test is skipped / failed as above. */
    public static OpenClDevice device() {
        if (OpenCl.devices().isEmpty()) {
            String why = "no OpenCL device: " + OpenCl.problem();
            if ("1".equals(System.getenv("REMATCH_REQUIRE_OPENCL"))) {
                fail(why + " (REMATCH_REQUIRE_OPENCL=1 requires one)");
            }
            assumeTrue(false, why + "; the OpenCL contract tests are skipped");
        }
        return OpenCl.devices().get(0);
    }
}
