package dev.scratchnet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Copies of the repository's kernels/ for tests that edit kernels and load them with --kernels DIR. */
public final class TestKernels {
    private TestKernels() {
    }

    /** A copy of the repository's kernels/ (opencl/ and cuda/) in {@code dir}; skips where kernels/ is not beside the tests. */
    public static Path copyOfKernels(Path dir) throws IOException {
        Path src = Path.of("kernels");
        assumeTrue(Files.isDirectory(src.resolve("opencl")), "the repository's kernels/ directory is not beside the tests");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return dir;
    }
}
