package dev.scratchnet.lab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A library's matmul, timed in the same run as the backend's variants: NumPy (OpenBLAS) beside the
 * CPU backend, CLBlast beside OpenCL, cuBLAS (through PyTorch) beside CUDA.
 */
public interface Baseline {

    /** The library's name, or why it cannot run here. */
    String describe();

    boolean available();

    /** Square matmul timings for each size and precision. */
    List<BenchResult> matmul(List<Integer> sizes, List<Precision> precisions, double minSeconds) throws IOException;

    /** The baseline that belongs beside {@code backend}. */
    static Baseline forBackend(Backend backend) {
        return forBackend(backend, false);
    }

    /** The baseline beside {@code backend}; with {@code tf32} (cuda only), cuBLAS with TF32 tensor cores on for fp32. */
    static Baseline forBackend(Backend backend, boolean tf32) {
        switch (backend.name()) {
            case "cpu": return new PythonBaseline("numpy", "numpy_matmul.py", "NumPy", List.of());
            case "opencl": return new dev.scratchnet.backend.opencl.ClBlastBaseline((dev.scratchnet.backend.opencl.OpenClBackend) backend);
            case "cuda":
                return tf32 ? new PythonBaseline("torch", "torch_matmul.py", "cuBLAS with TF32 on for fp32 (PyTorch)", List.of("--tf32"))
                        : new PythonBaseline("torch", "torch_matmul.py", "cuBLAS (PyTorch)", List.of());
            default: return unavailable("no library baseline for the " + backend.name() + " backend");
        }
    }

    static Baseline unavailable(String why) {
        return new Baseline() {
            @Override
            public String describe() {
                return why;
            }

            @Override
            public boolean available() {
                return false;
            }

            @Override
            public List<BenchResult> matmul(List<Integer> sizes, List<Precision> precisions, double minSeconds) {
                return List.of();
            }
        };
    }

    /** A baseline script in the jar, run with a Python that has its module. */
    final class PythonBaseline implements Baseline {
        private final String module;
        private final String script;
        private final String label;
        private final String python;
        private final List<String> flags;

        PythonBaseline(String module, String script, String label, List<String> flags) {
            this.module = module;
            this.script = script;
            this.label = label;
            this.flags = flags;
            this.python = PythonScript.interpreterWith(module);
        }

        @Override
        public String describe() {
            return python == null ? label + " baseline unavailable: no Python with " + module
                    + " (install python3-" + module + ", or set SCRATCHNET_PYTHON)" : label + " through " + python;
        }

        @Override
        public boolean available() {
            return python != null;
        }

        @Override
        public List<BenchResult> matmul(List<Integer> sizes, List<Precision> precisions, double minSeconds) throws IOException {
            if (python == null) {
                return List.of();
            }
            List<String> ps = new ArrayList<>();
            for (Precision p : precisions) {
                ps.add(p.toString());
            }
            List<String> sz = new ArrayList<>();
            for (int s : sizes) {
                sz.add(Integer.toString(s));
            }
            List<BenchResult> out = new ArrayList<>();
            List<String> args = new ArrayList<>(List.of(String.join(",", sz), String.join(",", ps), Double.toString(minSeconds)));
            args.addAll(flags);
            for (String line : PythonScript.run(python, script, args, 1800)) {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                out.add(new BenchResult("matmul", o.get("library").getAsString(), Precision.parse(o.get("precision").getAsString()),
                        o.get("size").getAsString(), o.get("ms").getAsDouble(), o.get("gflops").getAsDouble(), "GFLOP/s", true));
            }
            return out;
        }
    }
}
