package dev.scratchnet.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where kernel sources come from: the copy of {@code kernels/} inside the jar, or a directory given
 * with {@code --kernels DIR} / {@code SCRATCHNET_KERNELS} (laid out as the repository's
 * {@code kernels/}: {@code opencl/*.cl}, {@code cuda/*.cu}), so an edited kernel runs on the next
 * start with no rebuild.
 */
public final class KernelSource {
    private final Path directory;

    private KernelSource(Path directory) {
        this.directory = directory;
    }

    public static KernelSource of(BackendOptions options) {
        Path dir = options.kernelsDirectory;
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("kernel directory " + dir + " does not exist (--kernels / SCRATCHNET_KERNELS)");
        }
        return new KernelSource(dir);
    }

    /** The directory sources are read from, or null for the jar. */
    public Path directory() {
        return directory;
    }

    /** Where {@code path} (e.g. {@code opencl/matmul.cl}) is read from, for messages. */
    public String origin(String path) {
        return directory == null ? "kernels/" + path + " (in the jar)" : directory.resolve(path).toString();
    }

    /** The text of {@code path}, relative to the kernels root. */
    public String read(String path) {
        if (directory != null) {
            Path file = directory.resolve(path);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("kernel source " + file + " not found (the directory given with --kernels"
                        + " must hold opencl/ and cuda/ as the repository's kernels/ does)");
            }
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
            }
        }
        try (InputStream in = KernelSource.class.getResourceAsStream("/kernels/" + path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source kernels/" + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernels/" + path + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of a file under the kernels root (PTX, fatbin), or null when it is not there. */
    public byte[] readBytesOrNull(String path) {
        try {
            if (directory != null) {
                Path file = directory.resolve(path);
                return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            }
            try (InputStream in = KernelSource.class.getResourceAsStream("/kernels/" + path)) {
                return in == null ? null : in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + origin(path) + ": " + e.getMessage(), e);
        }
    }
}
