package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.lab.ModelIoBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code scratchnet model}: look inside a model file, and time model files. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Model files: info FILE, bench.",
        subcommands = {ModelCommand.Info.class, ModelCommand.Bench.class})
final class ModelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code scratchnet model info FILE}: the architecture and metadata, after the same checks --model makes. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Check a .safetensors or .npz model and print what it holds.")
    static final class Info implements Runnable {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            SavedModel m = ModelFile.read(file, spec.commandLine().getErr()::println);
            out.printf("%s: %s, %s, loss %s%n", file, m.describe(), m.precision, m.loss);
            out.printf("classes: %s%n", String.join(", ", m.classNames));
            out.printf("input normalisation: %s%n", m.isIdentityNormalisation() ? "none" : "(x - mean) / scale per feature");
            for (Map.Entry<String, String> e : m.info.entrySet()) {
                String v = e.getValue();
                out.printf("%s: %s%n", e.getKey(), v.length() > 100 ? v.substring(0, 97) + "..." : v);
            }
        }
    }

    /** {@code scratchnet model bench}. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = {"Time saving and loading a model (.safetensors, .npz; fp32, fp64) and writing a checkpoint,",
                    "beside NumPy's np.savez/np.load and a header-only safetensors reader in the same run (needs python3-numpy),",
                    "and compare a checkpoint with one Fashion-MNIST epoch (--epoch)."})
    static final class Bench implements Runnable {
        @Option(names = "--sizes", split = ",", defaultValue = "784,256,128,10", paramLabel = "N,N,...",
                description = "Layer widths, inputs first (default: ${DEFAULT-VALUE}).")
        int[] sizes;

        @Option(names = "--repeats", defaultValue = "21", description = "Runs per figure; the median is shown (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where the files go (default: a new temporary directory).")
        Path dir;

        @Option(names = "--epoch", description = "Also train one Fashion-MNIST epoch on the backend and give a checkpoint's share of it.")
        boolean epoch;

        @Mixin
        BackendOptionsMixin backend;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            if (repeats < 1) {
                throw new IllegalArgumentException("--repeats " + repeats + ": must be at least 1");
            }
            if (sizes.length < 2) {
                throw new IllegalArgumentException("--sizes needs at least two widths (inputs and outputs)");
            }
            for (int s : sizes) {
                if (s < 1) {
                    throw new IllegalArgumentException("--sizes: every width must be at least 1");
                }
            }
            try {
                Path d = dir != null ? dir : Files.createTempDirectory("scratchnet-model-bench");
                Dataset data = null;
                if (epoch) {
                    data = TrainCommand.load("fashion-mnist", 0, 0.2).train;
                    if (data.featureCount() != sizes[0]) {
                        throw new IllegalArgumentException("--epoch trains on Fashion-MNIST (784 inputs): --sizes must start with 784");
                    }
                }
                Backends.Selection s = backend.select(out);
                try (Backend be = s.backend) {
                    ModelIoBench.run(be, sizes, repeats, d, data, out);
                }
                if (dir == null) {
                    Files.deleteIfExists(d);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
