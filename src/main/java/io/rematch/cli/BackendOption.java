package io.rematch.cli;

import io.rematch.backend.Backend;
import io.rematch.backend.BackendChoice;
import picocli.CommandLine.Option;

/**
 * {@code --backend auto|cpu|opencl}, shared by the commands whose heavy work has a kernel. The
 * command says on standard error which backend and device ran, and what ran where.
 */
final class BackendOption {

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME", order = 90,
            description = "Where the similarities, the CCL and InfoNCE losses, partial OT and Sinkhorn are computed: auto (an OpenCL GPU "
                    + "if there is one, else the CPU), cpu (plain Java, float64) or opencl (the first OpenCL device, "
                    + "float32; PoCL's CPU device counts). Default: ${DEFAULT-VALUE}. 'rematch devices' lists them.")
    String backend;

    /** The choice, checked: a mistyped name, or opencl without a device, is refused before any work. */
    BackendChoice choice() {
        BackendChoice c = BackendChoice.parse("--backend", backend);
        Backend.check(c);
        return c;
    }

    /** The backend asked for; a device error's switch to the CPU is warned about through {@code command}. */
    Backend open(Subcommand command) {
        return Backend.open(choice(), command::warn);
    }

    /**
     * {@code rematch NAME: backend opencl: DEVICE, float32 (similarities 1 x opencl)} on standard
     * error, whenever a device computed or {@code --backend} was given; the default on a machine
     * without a GPU (auto, so the CPU) stays quiet, as a successful command without news should.
     */
    static void report(Subcommand command, Backend b) {
        if (b instanceof io.rematch.backend.CpuBackend && !command.given("--backend")) {
            return;
        }
        command.err().println("rematch " + command.spec.name() + ": backend " + b.describe() + " (" + b.report() + ")");
        command.err().flush();
    }
}
