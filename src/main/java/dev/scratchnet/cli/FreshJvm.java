package dev.scratchnet.cli;

import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one workshop recipe in a new JVM, started with this JVM's own options (the launcher's
 * class-data archive included) and class path, and reads back its training time: what a user's
 * first run of the recipe costs, JIT compilation and all.
 */
final class FreshJvm {
    private FreshJvm() {
    }

    /** The recipe's train_seconds in a fresh JVM. */
    static double trainSeconds(String recipe, String backend, String precision) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("scratchnet-fresh-");
            Path json = dir.resolve("run.json");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "workshop", recipe,
                    "--backend", backend, "--precision", precision, "--json", json.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the fresh-JVM run of " + recipe + " did not finish in 10 minutes");
            }
            if (p.exitValue() != 0) {
                String out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
                throw new IllegalStateException("the fresh-JVM run of " + recipe + " failed: " + out.strip().lines()
                        .reduce((a, b) -> b).orElse("exit status " + p.exitValue()));
            }
            return JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject()
                    .get("train_seconds").getAsDouble();
        } catch (IOException e) {
            throw new UncheckedIOException("the fresh-JVM run of " + recipe + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + recipe + " ran in a fresh JVM", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
