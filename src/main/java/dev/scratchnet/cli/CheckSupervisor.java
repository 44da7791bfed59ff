package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.lab.KernelCheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code kernels check} in a child JVM and watches it, so that a kernel cannot freeze or take
 * down the command: a check that has not finished within the time limit (a kernel that never ends,
 * a driver call that hangs) gets its child stopped; a child that dies during a check (a kernel that
 * wrote so far out of bounds that it corrupted the heap or hit unmapped memory) is reported. Either
 * way that check fails with the reason and a new child carries on from the next one.
 *
 * <p>The child ({@code kernels check --worker --from I}) prints {@code @@count N}, then
 * {@code @@start I {case}} and {@code @@result I {result}} for each check, and {@code @@done}.
 */
final class CheckSupervisor {
    /** Time a child may take to start and open its backend, on top of the per-check limit. */
    static final double STARTUP_SECONDS = 120;
    private static final String EOF = "\u0000eof";

    private final List<String> checkArgs;
    private final double timeoutSeconds;
    private final PrintWriter out;
    private final List<KernelCheck.Result> results = new ArrayList<>();
    private int children;
    /** The backend and device the child named ("opencl (...)"), or null. */
    String device;

    /**
     * @param checkArgs the options of {@code kernels check} to pass on (backend, kernels, device,
     *                  precision, small, no-tuning)
     */
    CheckSupervisor(List<String> checkArgs, double timeoutSeconds, PrintWriter out, PrintWriter err) {
        this.checkArgs = checkArgs;
        this.timeoutSeconds = timeoutSeconds;
        this.out = out;
        this.err = err;
    }

    private final PrintWriter err;

    /** Runs every check; the results in order, or null when the child failed before any check (its error is on stderr). */
    List<KernelCheck.Result> run() throws IOException, InterruptedException {
        int next = 0;
        int count = -1;
        while (count < 0 || next < count) {
            Child c = new Child(next);
            int status = c.follow();
            if (c.count >= 0) {
                count = c.count;
            }
            if (c.done) {
                break;
            }
            if (c.current >= 0) {
                results.add(KernelCheck.Result.failed(c.currentOp, c.currentPrecision, c.currentShape, c.failure(status)));
                printRow(results.get(results.size() - 1));
                next = c.current + 1;
            } else if (c.lastResult >= next) {
                next = c.lastResult + 1;   // died between checks
            } else {
                if (c.timedOut) {
                    out.println("scratchnet: the checking process did not start within " + (long) (STARTUP_SECONDS + timeoutSeconds)
                            + " s; it was stopped");
                }
                return null;   // died before its first check: the error it printed is the answer
            }
        }
        return results;
    }

    private boolean headerPrinted;

    private void printRow(KernelCheck.Result r) {
        if (!headerPrinted) {
            KernelsCommand.Check.printHeader(out);
            headerPrinted = true;
        }
        KernelsCommand.Check.printRow(out, r);
        out.flush();
    }

    /** One child JVM, from its start to its end. */
    private final class Child {
        final int from;
        int count = -1;
        int current = -1;
        int lastResult = -1;
        String currentOp;
        Precision currentPrecision;
        String currentShape;
        boolean done;
        boolean timedOut;
        Process process;

        Child(int from) {
            this.from = from;
        }

        int follow() throws IOException, InterruptedException {
            List<String> cmd = command(from);
            process = new ProcessBuilder(cmd).start();
            boolean first = children++ == 0;
            Thread errors = new Thread(() -> {
                // the child's errors (Oclgrind's reports among them) go to ours, less Java's warning
                // about the incubator module, which this process has given already
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (!line.startsWith("WARNING: Using incubator modules")) {
                            synchronized (err) {
                                err.println(line);
                                err.flush();
                            }
                        }
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            }, "kernels-check-errors");
            errors.setDaemon(true);
            errors.start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the child is gone
                } finally {
                    lines.add(EOF);
                }
            }, "kernels-check-reader");
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + (long) ((STARTUP_SECONDS + timeoutSeconds) * 1e9);
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    timedOut = true;
                    stop();
                    reader.join(10_000);
                    errors.join(10_000);
                    return process.exitValue();
                }
                if (line.equals(EOF)) {
                    process.waitFor();
                    errors.join(10_000);
                    return process.exitValue();
                }
                if (line.startsWith("@@count ")) {
                    count = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("@@start ")) {
                    String[] f = line.split(" ", 3);
                    current = Integer.parseInt(f[1]);
                    JsonObject o = JsonParser.parseString(f[2]).getAsJsonObject();
                    currentOp = o.get("op").getAsString();
                    currentPrecision = Precision.parse(o.get("precision").getAsString());
                    currentShape = o.get("shape").getAsString();
                    deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
                } else if (line.startsWith("@@result ")) {
                    String[] f = line.split(" ", 3);
                    JsonObject o = JsonParser.parseString(f[2]).getAsJsonObject();
                    KernelCheck.Result r = KernelCheck.Result.of(o.get("op").getAsString(), Precision.parse(o.get("precision").getAsString()),
                            o.get("shape").getAsString(), o.get("worst").isJsonNull() ? Double.NaN : o.get("worst").getAsDouble(),
                            o.get("error").isJsonNull() ? null : o.get("error").getAsString());
                    results.add(r);
                    printRow(r);
                    lastResult = Integer.parseInt(f[1]);
                    current = -1;
                    deadline = System.nanoTime() + (long) ((STARTUP_SECONDS + timeoutSeconds) * 1e9);
                } else if (line.equals("@@done")) {
                    done = true;
                } else if (line.startsWith("device: ")) {
                    device = line.substring(8);
                } else if (first) {
                    out.println(line);
                    out.flush();
                }
            }
        }

        void stop() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** Why the check in progress failed, from how its child ended. */
        String failure(int status) {
            if (timedOut) {
                return String.format("timed out: still running after %.0f s (a kernel that never ends, or a driver call that hangs);"
                        + " its child process was stopped and the checks went on in a new one", timeoutSeconds);
            }
            StringBuilder sb = new StringBuilder("crashed the checking process (exit status " + status);
            if (status > 128) {
                sb.append(", ").append(signal(status - 128));
            }
            Path hsErr = hsErrFile(process.pid());
            String fatal = Files.isRegularFile(hsErr) ? fatalSignal(hsErr) : null;
            if (fatal != null) {
                sb.append(", the JVM caught ").append(fatal);
            }
            sb.append("): the kernel may have written far outside its buffers; the checks went on in a new process");
            if (Files.isRegularFile(hsErr)) {
                sb.append("; the JVM's report: ").append(hsErr);
            }
            return sb.toString();
        }
    }

    private static String signal(int n) {
        switch (n) {
            case 4: return "SIGILL";
            case 6: return "SIGABRT, e.g. glibc finding its heap corrupted";
            case 7: return "SIGBUS";
            case 9: return "SIGKILL";
            case 11: return "SIGSEGV";
            default: return "signal " + n;
        }
    }

    /** "SIGSEGV in libpocl..." from a JVM fatal error report, or null. */
    private static String fatalSignal(Path hsErr) {
        try (java.util.stream.Stream<String> lines = Files.lines(hsErr, StandardCharsets.ISO_8859_1)) {
            return lines.limit(40).filter(l -> l.matches("#\\s+SIG[A-Z]+.*")).findFirst()
                    .map(l -> l.replaceFirst("#\\s+", "").replaceAll("\\s+", " ").split(",")[0].strip()).orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    static Path hsErrFile(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "scratchnet-check-hs_err_" + pid + ".log");
    }

    /** The child's command line: this JVM's executable and options, the class path, kernels check --worker. */
    private List<String> command(int from) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean vector = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp") || a.equals("-Xdebug") || a.startsWith("-XX:ErrorFile")) {
                continue;
            }
            vector |= a.contains("jdk.incubator.vector");
            cmd.add(a);
        }
        if (!vector) {
            cmd.add("--add-modules=jdk.incubator.vector");
        }
        for (String property : new String[] {"scratchnet.tuning.cache", "scratchnet.cuda.cache"}) {
            String v = System.getProperty(property);
            if (v != null) {
                cmd.add("-D" + property + "=" + v);   // set at run time (tests): not among the input arguments
            }
        }
        cmd.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "scratchnet-check-hs_err_%p.log"));
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("kernels");
        cmd.add("check");
        cmd.addAll(checkArgs);
        cmd.add("--worker");
        cmd.add("--from");
        cmd.add(Integer.toString(from));
        return cmd;
    }
}
