package dev.scratchnet.cli;

import dev.scratchnet.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The checks a command runs on its output paths before any long work, so a run never ends by
 * failing to save what it computed: a {@code --json} that is a directory or sits under a file
 * system that takes no new files (/proc), a {@code --plots} that is a regular file, an output that
 * is one of the inputs (compared by real path), and a name that is not valid in the system's
 * file-name encoding (Java would write a different name).
 */
final class OutputChecks {
    private OutputChecks() {
    }

    /** Checks a file the command will write with {@link AtomicFile}. */
    static void file(Path file, String option, Collection<Path> inputs) {
        if (file == null) {
            return;
        }
        encodable(file, option);
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null && !Files.exists(parent)) {
            creatable(parent, option + " " + file);
        }
        AtomicFile.checkWritable(file, option);
        notAnInput(file, option, inputs);
    }

    /** Checks a directory the command will write files into ({@code names} inside it). */
    static void directory(Path dir, String option, Collection<Path> inputs, String... names) {
        if (dir == null) {
            return;
        }
        encodable(dir, option);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is a file, not a directory: name a directory");
        }
        if (!Files.exists(dir)) {
            creatable(dir.toAbsolutePath().normalize(), option + " " + dir);
        }
        String first = names.length > 0 ? names[0] : "plot.png";
        try {
            AtomicFile.checkWritable(dir.resolve(first), option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace(option + " " + dir.resolve(first), option + " " + dir), e);
        }
        for (String n : names) {
            notAnInput(dir.resolve(n), option, inputs);
        }
    }

    /**
     * Refuses a name Java could not decode from the command line (it holds U+FFFD where the bytes
     * were not valid in the file-name encoding, and would be written under that other name).
     */
    static void encodable(Path p, String option) {
        String s = p.toString();
        if (s.indexOf('\uFFFD') >= 0) {
            throw new IllegalArgumentException(option + ": the name '" + s + "' is not valid " + System.getProperty("sun.jnu.encoding", "UTF-8")
                    + " (the file-name encoding here): a file of that name cannot be written as given; rename it");
        }
    }

    /**
     * Checks that the missing directory {@code dir} can be made, by making it and removing what was
     * made: a parent that is read-only or a pseudo file system (/proc) refuses here, not after the run.
     */
    private static void creatable(Path dir, String label) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(label + ": cannot create " + dir + " (" + (e.getMessage() == null ? e : e.getMessage())
                    + ")");
        } finally {
            for (Path d = dir; d != null && !d.equals(existing); d = d.getParent()) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException ignored) {
                    // it stays, empty; the run would make it anyway
                }
            }
        }
    }

    private static void notAnInput(Path given, String option, Collection<Path> inputs) {
        Path out = given.toAbsolutePath().normalize();   // as AtomicFile resolves it
        if (inputs == null || !Files.exists(out)) {
            return;
        }
        for (Path in : inputs) {
            try {
                if (Files.exists(in) && Files.isSameFile(out, in)) {
                    throw new IllegalArgumentException(option + " " + given + " is one of the input files (" + in
                            + "): writing it would destroy the data; name another file");
                }
            } catch (IOException e) {
                // an input that cannot be compared is reported when it is read
            }
        }
    }
}
