package io.rematch.cli;

import io.rematch.backend.Backend;
import io.rematch.backend.BackendChoice;
import io.rematch.opencl.OpenCl;
import picocli.CommandLine.Command;

/** {@code rematch devices}: the OpenCL devices, and what each {@code --backend} would run on. */
@Command(name = "devices", mixinStandardHelpOptions = true, versionProvider = Rematch.Version.class,
        description = {"List the OpenCL devices this machine has (as clinfo -l does) and what each --backend "
                + "choice runs on: auto takes an OpenCL GPU if there is one, else the CPU; opencl takes the first "
                + "device, a GPU first."})
final class DevicesCommand extends Subcommand {

    @Override
    int run() {
        out().println("OpenCL devices:");
        out().println(OpenCl.devices().isEmpty() ? "  none: " + OpenCl.problem() : OpenCl.listing());
        for (BackendChoice c : BackendChoice.values()) {
            String what;
            try (Backend b = Backend.open(c, this::warn)) {
                what = b.describe();
            } catch (IllegalArgumentException e) {
                what = "refused (no OpenCL device)";
            }
            out().printf("--backend %-6s -> %s%n", c, what);
        }
        return 0;
    }
}
