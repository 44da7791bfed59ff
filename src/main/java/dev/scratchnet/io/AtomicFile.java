package dev.scratchnet.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file whole or not at all. The content goes to a temporary file in the same directory
 * (so the final rename stays on one file system), is flushed and synced to the disk, then renamed
 * over the target in one atomic step. If anything fails (a full disk, a killed process, an
 * exception in the writer) the old file, if any, is left as it was, the temporary file is removed,
 * and the error names the file being written.
 *
 * <p>Every file scratchnet writes goes through here: JSON results, PNG plots, model files,
 * checkpoints, traces and caches.
 */
public final class AtomicFile {

    /** Writes the content of one file to a stream; the stream is closed by {@link AtomicFile}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(file, out -> out.write(bytes));
    }

    /** Writes {@code bytes}. */
    public static void writeBytes(Path file, byte[] bytes) {
        write(file, out -> out.write(bytes));
    }

    /**
     * Writes what {@code content} writes, atomically: the target holds either its old content or
     * all of the new. Creates missing parent directories. Throws {@link UncheckedIOException} with
     * one line naming {@code file} and the cause.
     */
    public static void write(Path file, Content content) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null) {
            String msg = "cannot write " + file + ": it names no file";
            throw new UncheckedIOException(msg, new IOException(msg));
        }
        if (Files.isDirectory(target)) {
            throw failure(file, "it is a directory", null);
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = createTemporary(dir, target);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream raw = Channels.newOutputStream(ch);
                OutputStream out = new BufferedOutputStream(new NonClosing(raw), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw failure(file, "this file system cannot replace a file atomically", e);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw failure(file, describe(e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            tmp = null;
            throw e;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Checks, before any long work, that {@code file} could be written: it is not a directory, not
     * under a read-only or pseudo file system such as /proc, and its directory exists or can be
     * made and takes a new file. Throws {@link IllegalArgumentException} with one line otherwise.
     * Creates no file that stays.
     */
    public static void checkWritable(Path file, String what) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        String label = what + " " + file;
        if (dir == null) {
            throw new IllegalArgumentException(label + " names no file");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException(label + " is a directory: name a file");
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new IllegalArgumentException(label + " is not a regular file");
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(label + ": " + (existing == null ? dir : existing) + " is not a directory");
        }
        try {
            if (existing.equals(dir)) {
                Path probe = Files.createTempFile(dir, "." + target.getFileName() + ".", ".probe");
                Files.delete(probe);
            } else if (!Files.isWritable(existing)) {
                throw new IllegalArgumentException(label + ": cannot create directories under " + existing);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(label + " cannot be written: " + describe(e));
        }
    }

    /**
     * The temporary file, with the permissions the target has, or for a new file the ones a plain
     * create would give it (rw for everyone, less the umask), not createTempFile's owner-only 0600.
     */
    private static Path createTemporary(Path dir, Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
        Set<PosixFilePermission> existing = null;
        if (Files.isRegularFile(target)) {
            try {
                existing = Files.getPosixFilePermissions(target);
            } catch (IOException ignored) {
                // a file we cannot stat keeps the default permissions
            }
        }
        Path tmp = Files.createTempFile(dir, prefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        if (existing != null) {
            Files.setPosixFilePermissions(tmp, existing);
        }
        return tmp;
    }

    private static UncheckedIOException failure(Path file, String why, Exception cause) {
        String msg = "cannot write " + file + ": " + why;
        return new UncheckedIOException(msg, new IOException(msg, cause));
    }

    /** One line for an I/O failure: the reason, without Java's class names where they add nothing. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            return f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename itself durable; not every file system allows opening a directory.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the content is already synced; only the directory entry's durability is at stake
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do: the temporary file has a dot name and a .tmp suffix
            }
        }
    }

    /** Keeps the writer's close from closing the channel before it is synced. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
