package dev.scratchnet.report;

import dev.scratchnet.io.AtomicFile;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The directory {@code --plots} names. Writes each plot there as a PNG through {@link AtomicFile}
 * (whole or not at all), creating the directory on the first write, and remembers what it wrote so
 * that the "wrote plots" line lists exactly those files.
 */
public final class PlotDirectory {
    private final Path dir;
    private final List<String> written = new ArrayList<>();

    /**
     * Checks, before any plot is drawn, that {@code dir} is not an existing file and that Java can
     * draw text here.
     *
     * @throws IllegalArgumentException (one line naming it) when {@code dir} exists and is not a directory
     * @throws IllegalStateException    (one line) when Java finds no font to draw text with
     */
    public PlotDirectory(Path dir) {
        this.dir = dir;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw notADirectory();
        }
        checkFonts();
    }

    /**
     * Draws one character. Java2D draws text with the machine's fonts (found through fontconfig);
     * where there are none, the JDK throws a {@link java.lang.Error} from deep inside the first
     * drawing ("Probable fatal error: No physical fonts found."), which would end the run with a
     * stack trace after training.
     */
    private static void checkFonts() {
        try {
            Graphics2D g = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB).createGraphics();
            try {
                g.setFont(Charts.font(12));
                g.drawString("0", 0, 8);
            } finally {
                g.dispose();
            }
        } catch (Error | RuntimeException e) {
            throw new IllegalStateException("cannot draw plots: Java finds no font to draw text with (" + e
                    + "); install fontconfig and a font, e.g. apt-get install fontconfig fonts-dejavu-core", e);
        }
    }

    /** Writes {@code plot} as {@code DIR/fileName}; every failure is one line naming the file or directory. */
    public void write(String fileName, Plot plot) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw notADirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plots directory " + dir + ": " + reason(e), e);
        }
        AtomicFile.write(dir.resolve(fileName), plot::writePng);
        written.add(fileName);
    }

    /** The names of the files written so far, in the order written. */
    public List<String> written() {
        return Collections.unmodifiableList(written);
    }

    /** Prints "wrote plots to DIR: a.png, b.png", or nothing when no plot was written. */
    public void printSummary(PrintWriter out) {
        if (!written.isEmpty()) {
            out.println("wrote plots to " + dir + ": " + String.join(", ", written));
        }
    }

    private IllegalArgumentException notADirectory() {
        return new IllegalArgumentException("cannot write plots to " + dir + ": it is not a directory");
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
