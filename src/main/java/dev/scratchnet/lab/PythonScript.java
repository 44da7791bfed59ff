package dev.scratchnet.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the baseline scripts shipped in the jar ({@code /baselines/*.py}) with a Python that
 * has the module it needs: {@code SCRATCHNET_PYTHON} if set, else {@code /usr/bin/python3}, else
 * {@code python3} on the PATH.
 */
final class PythonScript {
    private PythonScript() {
    }

    /** The interpreters tried, in order: {@code SCRATCHNET_PYTHON} if set, {@code /usr/bin/python3}, {@code python3}. */
    static List<String> candidates() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("SCRATCHNET_PYTHON");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        return candidates;
    }

    /** The first of {@link #candidates()} that can import {@code module}, or null. */
    static String interpreterWith(String module) {
        return interpreterWith(module, candidates());
    }

    /** The first of {@code candidates} that can import {@code module}, or null. */
    static String interpreterWith(String module, List<String> candidates) {
        for (String python : candidates) {
            try {
                Process p = dev.scratchnet.io.ChildProcess.notJava(python, "-c", "import " + module).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException e) {
                // not installed: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Integers as a script's comma-separated argument: 256,128. */
    static String commaList(int[] values) {
        StringJoiner j = new StringJoiner(",");
        for (int v : values) {
            j.add(Integer.toString(v));
        }
        return j.toString();
    }

    /** A baseline script copied out of the jar, removed again by {@link #close}. */
    static final class Extracted implements AutoCloseable {
        final Path path;

        Extracted(String name) throws IOException {
            path = Files.createTempFile("scratchnet-", "-" + name);
            try (InputStream in = PythonScript.class.getResourceAsStream("/baselines/" + name)) {
                if (in == null) {
                    Files.deleteIfExists(path);
                    throw new IOException("baseline script " + name + " is missing from the jar");
                }
                Files.copy(in, path, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        public void close() throws IOException {
            Files.deleteIfExists(path);
        }
    }

    /** Runs {@code /baselines/NAME} with {@code args}; returns its standard output lines. */
    static List<String> run(String python, String name, List<String> args, long timeoutSeconds) throws IOException {
        Path script = Files.createTempFile("scratchnet-", "-" + name);
        try (InputStream in = PythonScript.class.getResourceAsStream("/baselines/" + name)) {
            if (in == null) {
                throw new IOException("baseline script " + name + " is missing from the jar");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
            cmd.addAll(args);
            Process p = dev.scratchnet.io.ChildProcess.notJava(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(name + " did not finish within " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
                if (last.startsWith("{\"error\"")) {
                    throw new IOException(com.google.gson.JsonParser.parseString(last).getAsJsonObject().get("error").getAsString());
                }
                throw new IOException(name + " exited with status " + p.exitValue());
            }
            return lines;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + name, e);
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
