package io.rematch.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Which OpenCL devices this machine has, found once per process. Without an OpenCL runtime (no
 * {@code libOpenCL.so.1}, no installed driver or ICD) the list is empty and {@link #problem()}
 * says why, in words: the caller reports it, it never throws.
 *
 * <p>Aparapi reports through {@code java.util.logging} (an "untested OpenCL platform" warning on
 * every start, a stack trace when a kernel fails to build before it falls back). Those records
 * are kept here instead of printed, and what a failed launch logged is quoted by its
 * {@link DeviceFailure}. (The "untested OpenCL platform" line on standard error comes from
 * Aparapi's native library and cannot be silenced; it is harmless.)
 */
public final class OpenCl {

    private static final Logger APARAPI = Logger.getLogger("com.aparapi");
    private static final ThreadLocal<List<String>> CAPTURE = new ThreadLocal<>();
    private static List<OpenClDevice> devices;
    private static String problem;

    static {
        APARAPI.setUseParentHandlers(false);
        APARAPI.setLevel(Level.WARNING);
        APARAPI.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                List<String> into = CAPTURE.get();
                if (m != null && into != null && !m.startsWith("Trying next device")) {
                    // "Device failed for K, devices={...}: why" -> "why"
                    int at = m.startsWith("Device failed for ") ? m.indexOf("}: ") : -1;
                    into.add(at < 0 ? m : m.substring(at + 3));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private OpenCl() {
    }

    /** Every OpenCL device of every platform, GPUs first; empty where there is no OpenCL. */
    public static synchronized List<OpenClDevice> devices() {
        if (devices == null) {
            List<OpenClDevice> found = new ArrayList<>();
            try {
                for (com.aparapi.internal.opencl.OpenCLPlatform p
                        : com.aparapi.internal.opencl.OpenCLPlatform.getUncachedOpenCLPlatforms()) {
                    for (com.aparapi.device.OpenCLDevice d : p.getOpenCLDevices()) {
                        found.add(new OpenClDevice(d, p.getName().trim()));
                    }
                }
                if (found.isEmpty()) {
                    problem = installedIcds().isEmpty()
                            ? "no OpenCL platform is installed (no ICD in /etc/OpenCL/vendors, or OCL_ICD_VENDORS"
                            + " names none); on Debian: apt-get install pocl-opencl-icd ocl-icd-libopencl1 for the"
                            + " CPU, or a GPU vendor's OpenCL driver"
                            : "OpenCL drivers are registered (" + String.join(", ", installedIcds()) + ") but none"
                            + " started or offered a device: the driver failed to initialise (for PoCL, its cache"
                            + " folder POCL_CACHE_DIR or ~/.cache/pocl must be writable; clinfo shows the driver's error)";
                }
            } catch (Throwable t) {    // UnsatisfiedLinkError: no libOpenCL.so.1, or Aparapi's JNI library failed
                found.clear();
                problem = "the OpenCL runtime could not be loaded (" + t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()) + "); on Debian: apt-get install"
                        + " ocl-icd-libopencl1 and a driver (pocl-opencl-icd for the CPU)";
            }
            found.sort((a, b) -> Boolean.compare(b.isGpu(), a.isGpu()));
            devices = List.copyOf(found);
        }
        return devices;
    }

    /** The ICD files the OpenCL loader reads ({@code OCL_ICD_VENDORS}, else /etc/OpenCL/vendors). */
    static List<String> installedIcds() {
        String env = System.getenv("OCL_ICD_VENDORS");
        java.nio.file.Path dir = java.nio.file.Path.of(env != null && !env.isEmpty() ? env : "/etc/OpenCL/vendors");
        List<String> icds = new ArrayList<>();
        if (java.nio.file.Files.isRegularFile(dir) && dir.toString().endsWith(".icd")) {
            icds.add(dir.getFileName().toString());
        } else if (java.nio.file.Files.isDirectory(dir)) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".icd")).sorted().forEach(icds::add);
            } catch (java.io.IOException | RuntimeException e) {
                return icds;
            }
        }
        return icds;
    }

    /** Why {@link #devices()} is empty, or {@code null} if it is not. */
    public static synchronized String problem() {
        devices();
        return problem;
    }

    /** The first GPU, or {@code null}. */
    public static OpenClDevice firstGpu() {
        for (OpenClDevice d : devices()) {
            if (d.isGpu()) {
                return d;
            }
        }
        return null;
    }

    /** A {@code clinfo -l}-like listing, one device per line, or the problem. */
    public static String listing() {
        List<OpenClDevice> all = devices();
        if (all.isEmpty()) {
            return "no OpenCL device: " + problem();
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < all.size(); k++) {
            b.append(k == 0 ? "" : "\n").append("  #").append(k).append(' ').append(all.get(k).describe());
        }
        return b.toString();
    }

    /** Starts keeping what Aparapi logs on this thread (a build error, a fallback) for {@link #endCapture()}. */
    static void startCapture() {
        CAPTURE.set(new ArrayList<>());
    }

    /** What Aparapi logged on this thread since {@link #startCapture()}, joined with "; ", or {@code null}. */
    static String endCapture() {
        List<String> got = CAPTURE.get();
        CAPTURE.remove();
        return got == null || got.isEmpty() ? null : String.join("; ", got);
    }
}
