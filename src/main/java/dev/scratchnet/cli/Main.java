package dev.scratchnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code scratchnet} command. Errors print one line, {@code scratchnet: <what went wrong>};
 * {@code --verbose} adds the stack trace.
 */
@Command(name = "scratchnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Small neural networks from scratch, on the GPU from Java.",
        subcommands = {DevicesCommand.class, WorkshopCommand.class, TrainCommand.class, PredictCommand.class, EvaluateCommand.class,
                ModelCommand.class, KernelsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("scratchnet: " + oneLine(ex));
            if (verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, strings) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("scratchnet: " + oneLine(ex) + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return 2;
        });
        int status;
        try {
            status = cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("scratchnet: " + outOfMemory(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            status = 1;
        }
        out.flush();
        err.flush();
        return status;
    }

    /** The first line of an exception's message, or its type when it has none. */
    static String oneLine(Throwable t) {
        Throwable e = t;
        while ((e.getMessage() == null || e.getMessage().isBlank()) && e.getCause() != null) {
            e = e.getCause();
        }
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof dev.scratchnet.backend.KernelBuildException) {
            return msg.strip();   // the compiler's log is what the user needs
        }
        String first = msg.strip().split("\n")[0];
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + first + "): give Java more with -Xmx or use smaller batches";
        }
        return first;
    }

    /**
     * One line for an OutOfMemoryError that no check caught before allocating: what ran out, where
     * (the first scratchnet frames: what was being allocated, and by whom), the heap limit and -Xmx.
     */
    static String outOfMemory(OutOfMemoryError e) {
        List<StackTraceElement> ours = new java.util.ArrayList<>();
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.scratchnet.")) {
                ours.add(f);
            }
        }
        String where = "";
        if (!ours.isEmpty()) {
            StackTraceElement top = ours.get(0);
            String cls = top.getClassName().substring(top.getClassName().lastIndexOf('.') + 1).replace('$', '.');
            if (top.getMethodName().equals("<init>")) {
                where = " allocating a " + cls + (ours.size() > 1 ? " in " + method(ours.get(1)) : "");
            } else {
                where = " in " + method(top) + (ours.size() > 1 ? " (called from " + method(ours.get(1)) + ")" : "");
            }
        }
        String msg = e.getMessage() == null ? "Java heap space" : e.getMessage();
        return "out of memory (" + msg + ")" + where + ": Java's heap limit is "
                + dev.scratchnet.backend.HostMemory.size(dev.scratchnet.backend.HostMemory.heapLimit())
                + dev.scratchnet.backend.HostMemory.advice();
    }

    private static String method(StackTraceElement f) {
        String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1).replace('$', '.');
        return cls + "." + f.getMethodName();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"scratchnet " + (v == null ? "(development build)" : v)};
        }
    }
}
