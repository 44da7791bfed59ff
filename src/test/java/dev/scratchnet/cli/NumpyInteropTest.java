package dev.scratchnet.cli;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.io.NdArray;
import dev.scratchnet.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * NumPy reads what scratchnet writes, and scratchnet reads what NumPy writes: a digits model
 * saved by {@code train --save} (both formats) gives in NumPy (np.load for .npz, json +
 * np.frombuffer for .safetensors) the predictions {@code predict} gives, within 1e-6 in fp32 and
 * 1e-12 in fp64 relative to the largest probability (max |a − b| / max |b|; a tiny probability's
 * own relative error in fp32 can reach a few 1e-6); weights drawn and written by NumPy (Fortran-order W, 1-D biases) give
 * in {@code predict} the predictions NumPy computes. Needs /usr/bin/python3 with numpy.
 */
class NumpyInteropTest {
    static final String PYTHON = "/usr/bin/python3";
    @TempDir
    static Path dir;
    static Path script;
    static Path raw;

    @BeforeAll
    static void setUp() throws IOException {
        script = dir.resolve("numpy_interop.py");
        try (InputStream in = NumpyInteropTest.class.getResourceAsStream("numpy_interop.py")) {
            Files.copy(in, script);
        }
        // the raw digits test rows (seed 0, test fraction 0.2): what predict and evaluate run on
        Matrix x = TrainCommand.load("digits", 0, 0.2).test.features();
        raw = dir.resolve("raw.npy");
        AtomicFile.write(raw, o -> Npy.write(o, NdArray.of(x, NdArray.DType.F64)));
    }

    static List<String> python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        cmd.addAll(List.of(args));
        Process p = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out.lines().collect(java.util.stream.Collectors.toList());
    }

    static void assumeNumpy() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON + ": NumPy interoperability not checked");
        Process p = dev.scratchnet.io.ChildProcess.notJava(PYTHON, "-c", "import numpy").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, PYTHON + " has no numpy (Debian: python3-numpy)");
    }

    static void run(String... args) {
        Object[] r = MainTest.run(args);
        assertEquals(0, r[0], String.join(" ", args) + "\n" + r[1] + r[2]);
    }

    static double value(List<String> lines, String key) {
        return Double.parseDouble(lines.stream().filter(l -> l.startsWith(key + " ")).findFirst().orElseThrow().split(" ")[1]);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fp32", "fp64"})
    void numpyReproducesPredictFromBothFormats(String precision) throws Exception {
        assumeNumpy();
        Path st = dir.resolve("digits-" + precision + ".safetensors"), npz = dir.resolve("digits-" + precision + ".npz");
        run("train", "--data", "digits", "--hidden", "32,16", "--activation", "tanh", "--epochs", "4", "--backend", "cpu",
                "--precision", precision, "--save", st.toString(), "--save", npz.toString());
        double tolerance = precision.equals("fp32") ? 1e-6 : 1e-12;
        for (Path model : new Path[] {st, npz}) {
            Path predicted = dir.resolve("predicted-" + model.getFileName() + ".npy");
            run("predict", "--model", model.toString(), "--backend", "cpu", "--output", predicted.toString());
            List<String> r = python("check", model.toString(), raw.toString(), predicted.toString());
            assertEquals(1.0, value(r, "labels_equal"), model + ": " + r);
            assertTrue(value(r, "max_relative") <= tolerance, model + ": " + r);
            System.out.println("NumPy vs predict, " + model.getFileName() + ": " + r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"f4", "f8"})
    void weightsWrittenByNumpyPredictAsNumpyDoes(String dtype) throws Exception {
        assumeNumpy();
        Path template = dir.resolve("template.npz");
        if (!Files.exists(template)) {
            run("train", "--data", "digits", "--hidden", "24", "--epochs", "1", "--backend", "cpu", "--save", template.toString());
        }
        python("write", dir.toString(), template.toString(), raw.toString());
        Path expectedFile = dir.resolve("expected-" + dtype + ".npy");
        Matrix expected;
        try (InputStream in = Files.newInputStream(expectedFile)) {
            expected = Npy.read(in, Files.size(expectedFile), "expected").array.toMatrix("expected");
        }
        double tolerance = dtype.equals("f4") ? 1e-6 : 1e-12;
        for (String ext : new String[] {".npz", ".safetensors"}) {
            Path predicted = dir.resolve("from-numpy-" + dtype + ext + ".npy");
            run("predict", "--model", dir.resolve("numpy-" + dtype + ext).toString(), "--backend", "cpu", "--output", predicted.toString());
            Matrix got;
            try (InputStream in = Files.newInputStream(predicted)) {
                got = Npy.read(in, Files.size(predicted), "predicted").array.toMatrix("predicted");
            }
            assertEquals(expected.rows(), got.rows());
            double worst = 0, largest = 0;
            for (int i = 0; i < expected.rows(); i++) {
                for (int j = 0; j < expected.cols(); j++) {
                    double e = expected.get(i, j), g = got.get(i, j + 1);
                    worst = Math.max(worst, Math.abs(g - e));
                    largest = Math.max(largest, Math.abs(e));
                }
            }
            worst /= largest;
            assertTrue(worst <= tolerance, dtype + ext + ": worst relative difference " + worst);
        }
    }
}
