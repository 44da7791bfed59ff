package dev.scratchnet.cli;

import dev.scratchnet.nn.Trainer;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

import java.io.PrintWriter;
import java.util.function.DoubleSupplier;

/**
 * The live line {@code train} shows within an epoch on a terminal: batches done, samples per
 * second, the running loss and the time left, redrawn in place at most five times a second.
 * Where standard output is not a terminal (CI, pipes, files) it draws nothing, so the output is
 * the per-epoch lines only, with no carriage returns.
 *
 * <p>Whether standard output is a terminal, and its width, come from JLine's terminal provider
 * (isatty and TIOCGWINSZ through its bundled native library), asked only when Java's
 * {@code System.console()} says both standard streams are a terminal, so pipes and files never
 * load it. docs/DESIGN.md says why JLine.
 */
final class ProgressLine implements Trainer.BatchListener {
    private static final long REDRAW_NANOS = 200_000_000L;
    private final PrintWriter out;
    private final int width;
    private final int epochs;
    private long runStart;
    private long epochStart;
    private long rowsAtEpochStart;
    private int epochSeen = -1;
    private long lastDraw;
    private boolean drawn;
    private long batchesDoneInRun;

    ProgressLine(PrintWriter out, int width, int epochs) {
        this.out = out;
        this.width = width;
        this.epochs = epochs;
    }

    /** A live line when standard output is a terminal (and not turned off), else null. */
    static ProgressLine forStdout(PrintWriter out, int epochs) {
        if ("off".equals(System.getenv("SCRATCHNET_PROGRESS")) || System.console() == null) {
            return null;
        }
        try {
            TerminalProvider p = TerminalProvider.load("jni");
            if (!p.isSystemStream(SystemStream.Output)) {
                return null;
            }
            int w = p.systemStreamWidth(SystemStream.Output);
            return new ProgressLine(out, w > 20 ? w : 80, epochs);
        } catch (Throwable e) {
            return null;   // no native terminal support here: per-epoch lines only
        }
    }

    @Override
    public void onBatch(int epoch, int batchesDone, int batches, long rowsDone, DoubleSupplier runningLoss) {
        long now = System.nanoTime();
        if (epoch != epochSeen) {
            // the clocks start at the end of an epoch's first batch: rates count what follows it
            epochSeen = epoch;
            epochStart = now;
            rowsAtEpochStart = rowsDone;
            lastDraw = now;
            if (runStart == 0) {
                runStart = now;
            }
            return;
        }
        batchesDoneInRun++;
        if (now - lastDraw < REDRAW_NANOS || batchesDone == batches) {
            return;
        }
        lastDraw = now;
        double epochSeconds = (now - epochStart) / 1e9;
        double samplesPerSecond = (rowsDone - rowsAtEpochStart) / epochSeconds;
        double perBatch = (now - runStart) / 1e9 / batchesDoneInRun;
        long batchesLeft = (long) (batches - batchesDone) + (long) (epochs - epoch - 1) * batches;
        String line = String.format("epoch %d/%d  batch %d/%d  %,.0f samples/s  loss %.4f  %s left", epoch + 1, epochs, batchesDone,
                batches, samplesPerSecond, runningLoss.getAsDouble(), duration(perBatch * batchesLeft));
        if (line.length() > width - 1) {
            line = line.substring(0, width - 1);
        }
        out.print("\r" + line + " ".repeat(Math.max(0, width - 1 - line.length())));
        out.flush();
        drawn = true;
    }

    /** Wipes the live line, before a per-epoch line is printed. */
    void clear() {
        if (drawn) {
            out.print("\r" + " ".repeat(width - 1) + "\r");
            out.flush();
            drawn = false;
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format("%dh%02dm", s / 3600, s / 60 % 60);
        }
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
