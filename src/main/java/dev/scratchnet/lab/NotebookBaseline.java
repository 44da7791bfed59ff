package dev.scratchnet.lab;

import java.io.IOException;
import java.util.List;

/** The notebooks' own NumPy code ({@code /baselines/notebooks.py}), timed recipe by recipe. */
public final class NotebookBaseline {
    private final String python = PythonScript.interpreterWith("sklearn");

    public boolean available() {
        return python != null;
    }

    public String describe() {
        return python == null ? "the notebooks' NumPy code is unavailable: no Python with numpy and sklearn"
                + " (install python3-numpy python3-sklearn, or set SCRATCHNET_PYTHON)"
                : "the notebooks' NumPy code through " + python;
    }

    /** One JSON line per recipe: {"recipe": ..., "train_seconds": ...}. */
    public List<String> run(List<String> recipes) throws IOException {
        return PythonScript.run(python, "notebooks.py", List.of(String.join(",", recipes)), 3600);
    }
}
