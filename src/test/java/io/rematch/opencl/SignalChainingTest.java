package io.rematch.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The tests' JVM runs with the JDK's signal-chaining library preloaded (pom.xml, profile
 * {@code signal-chaining}): PoCL's LLVM installs SIGSEGV handlers when it builds a kernel, and
 * HotSpot's safepoint polls fault on purpose; without chaining, a poll that reaches LLVM's handler
 * kills the JVM in the middle of the suite. Where the JDK has no libjsig (not Linux) the test is
 * skipped, saying why.
 */
class SignalChainingTest {

    @Test
    void theJvmsSignalHandlersAreChained() throws IOException {
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        Assumptions.assumeTrue(Files.isRegularFile(jsig), "this JDK has no " + jsig + " (signal chaining is Linux's)");
        String preload = System.getenv("LD_PRELOAD");
        assertTrue(preload != null && preload.contains("libjsig.so"), "LD_PRELOAD is " + preload);
        Path maps = Path.of("/proc/self/maps");
        if (Files.isReadable(maps)) {
            assertTrue(Files.readString(maps).contains("libjsig.so"), "libjsig.so is not mapped into this JVM");
        }
    }
}
