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
            description = "Where the work that has an OpenCL kernel runs (similarity matrices, the CCL, InfoNCE, triplet and "
                    + "rematch losses, partial OT, Sinkhorn in both domains, L2RM's masked partial OT; in train, experiment and demo the validation and test similarities, while the "
                    + "training steps stay on the CPU): auto (an OpenCL GPU if there is one, else the CPU), cpu (plain Java, "
                    + "float64) or opencl (the first OpenCL device, float32; PoCL's CPU device counts). "
                    + "Default: ${DEFAULT-VALUE}. 'rematch devices' lists them.")
    String backend;

    /**
     * What train, experiment and demo add to their report: where the training steps ran when it was
     * not the backend's device (the report counts the device's steps itself).
     */
    static String training(Backend b) {
        return b instanceof io.rematch.backend.OpenClBackend o && o.trainingSteps() > 0 && !o.failed() ? null
                : "the training steps ran on the CPU"
                + (b instanceof io.rematch.backend.OpenClBackend o2 && o2.trainingSteps() > 0 ? " after the failure" : "");
    }

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
        report(command, b, null);
    }

    /** As {@link #report(Subcommand, Backend)}, followed by {@code "; " + also} (null: nothing). */
    static void report(Subcommand command, Backend b, String also) {
        if (b instanceof io.rematch.backend.CpuBackend && !command.given("--backend")) {
            return;
        }
        command.err().println("rematch " + command.spec.name() + ": backend " + b.describe() + " (" + b.report() + ")"
                + (also == null ? "" : "; " + also));
        command.err().flush();
    }
}
