package io.rematch.cli;

import io.rematch.backend.Backend;
import io.rematch.backend.BackendChoice;
import io.rematch.backend.Benchmark;
import io.rematch.backend.CpuBackend;
import io.rematch.opencl.OpenCl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch bench}: each operation on each backend, side by side. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch bench [--backend=NAME] [--operations=OP,...] [--sizes=N,...]", "              [OPTIONS]"},
        description = {"Time the similarity product, the losses, the transport solvers and the evaluation matrix on each "
                + "backend: the whole call (copies to and from the device included), its throughput and the ratio "
                + "to the CPU. Prints a Markdown table; docs/gpu.md has what was measured.",
                "",
                "  similarities  S = X Y^T, two n x n float32 matrices (GFLOP/s)",
                "  ccl           CCL-log loss and gradient, N x N (GB/s of S, dL/dS)",
                "  tr-hn         TR-HN loss and subgradient, N x N, likewise",
                "  sym-kl        L2RM's symmetric-KL rematch loss and gradient, N x N, likewise",
                "  partial       entropic partial OT, n x n, fixed iterations (GB/s)",
                "  partial-log   entropic partial OT in the log domain, likewise",
                "  sinkhorn      balanced Sinkhorn, likewise",
                "  sinkhorn-log  balanced Sinkhorn in the log domain, likewise",
                "  l2rm          L2RM's masked partial OT (dummy row and column, diagonal forbidden), likewise",
                "  evaluation    the 5,000 x 25,000 x 1,024 evaluation matrix (GFLOP/s)", ""})
final class BenchCommand extends Subcommand {

    @Option(names = "--backend", defaultValue = "all", paramLabel = "NAME", order = 1,
            description = "all (the CPU, and OpenCL where there is a device), cpu, opencl or auto (default: "
                    + "${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--operations", defaultValue = "similarities,ccl", split = ",", paramLabel = "OP,OP...",
            hideParamSyntax = true, order = 2,
            description = "Any of similarities, ccl, tr-hn, sym-kl, partial, partial-log, sinkhorn, sinkhorn-log, l2rm, step (a training"
                    + " step, --sizes its batch), evaluation (default: ${DEFAULT-VALUE}).")
    List<String> operations;

    @Option(names = "--sizes", defaultValue = "128,512,1024,2048,4096", split = ",", paramLabel = "N,N...",
            hideParamSyntax = true, order = 3,
            description = "n for every operation but evaluation (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "K", order = 4,
            description = "Timed calls per measurement, after one warm-up (default: ${DEFAULT-VALUE}); the median is reported.")
    int repeats;

    @Option(names = "--iterations", defaultValue = "1000", paramLabel = "K", order = 5,
            description = "The transport solvers' fixed iteration count: partial, partial-log, sinkhorn, sinkhorn-log, l2rm "
                    + "(default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--cpu-up-to", defaultValue = "4096", paramLabel = "N", order = 6,
            description = "Measure the CPU at n up to this only; 0: not at all, the evaluation matrix"
                    + " included (default: ${DEFAULT-VALUE}).")
    int cpuUpTo;

    @Option(names = "--out", paramLabel = "FILE", order = 7, description = "Also write the report (Markdown) here.")
    Path out;

    @Override
    int run() {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("--iterations must be >= 1, got " + iterations);
        }
        if (cpuUpTo < 0) {
            throw new IllegalArgumentException("--cpu-up-to must be >= 0, got " + cpuUpTo);
        }
        for (String op : operations) {
            if (!io.rematch.backend.Benchmark.OPERATIONS.contains(op)) {
                throw new IllegalArgumentException("--operations: unknown operation '" + op + "'; expected "
                        + String.join(", ", io.rematch.backend.Benchmark.OPERATIONS));
            }
        }
        operations = new ArrayList<>(new java.util.LinkedHashSet<>(operations));   // each once, in the order given
        int[] n = new int[sizes.size()];
        for (int k = 0; k < n.length; k++) {
            n[k] = sizes.get(k);
            if (n[k] < 1 || n[k] > 32768) {
                throw new IllegalArgumentException("--sizes: " + n[k] + " is outside 1..32768");
            }
        }
        List<Backend> backends = new ArrayList<>();
        backends.add(new CpuBackend());
        String b = backend.trim().toLowerCase(Locale.ROOT);
        if (b.equals("all")) {
            if (!OpenCl.devices().isEmpty()) {
                backends.add(Backend.open(BackendChoice.OPENCL, this::warn));
            }
        } else {
            BackendChoice c;
            try {
                c = BackendChoice.parse("--backend", b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--backend must be all, auto, cpu or opencl, got '" + backend + "'");
            }
            Backend chosen = Backend.open(c, this::warn);
            if (!(chosen instanceof CpuBackend)) {
                backends.add(chosen);
            }
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT,
                "rematch bench, %s, Java %s on %s (%d cores)%n%n", java.time.LocalDate.now(),
                System.getProperty("java.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors()));
        for (Backend x : backends) {
            head.append("- ").append(x.describe()).append('\n');
        }
        head.append('\n');
        List<Benchmark.Row> rows = new Benchmark(repeats, iterations, cpuUpTo, line -> {
            err().println("  " + line);
            err().flush();
        }).run(backends, operations, n);
        String report = head + Benchmark.table(rows);
        out().print(report);
        out().flush();
        if (out != null) {
            try {
                Path parent = out.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path tmp = parent.resolve("." + out.getFileName() + ".tmp");
                Files.writeString(tmp, report);
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + out + " cannot be written: " + e.getMessage(), e);
            }
        }
        for (Backend x : backends) {
            x.close();
        }
        return 0;
    }
}
