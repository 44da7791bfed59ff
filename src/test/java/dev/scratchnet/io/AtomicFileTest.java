package dev.scratchnet.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void writesTheWholeContentAndCreatesMissingDirectories() throws IOException {
        Path f = dir.resolve("a/b/out.json");
        AtomicFile.writeString(f, "{\"x\": 1}\n");
        assertEquals("{\"x\": 1}\n", Files.readString(f));
        assertEquals(List.of("out.json"), names(f.getParent()));
    }

    @Test
    void aWriterThatFailsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("out.json");
        AtomicFile.writeString(f, "old");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("out.json"), names(dir));
    }

    @Test
    void aRuntimeFailureInTheWriterAlsoLeavesTheOldFile() throws IOException {
        Path f = dir.resolve("plot.png");
        AtomicFile.writeBytes(f, new byte[] {1, 2, 3});
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, out -> {
            out.write(new byte[1 << 20]);
            throw new IllegalStateException("renderer failed");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("plot.png"), names(dir));
    }

    @Test
    void aDirectoryIsNotOverwritten() throws IOException {
        Path d = Files.createDirectory(dir.resolve("results"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.writeString(d, "x"));
        assertEquals("cannot write " + d + ": it is a directory", e.getMessage());
        assertTrue(Files.isDirectory(d));
    }

    @Test
    void aNewFileGetsTheUsualPermissionsAndAnOldFileKeepsItsOwn() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "no POSIX permissions on this file system");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "made by Files.writeString");
        Path f = dir.resolve("model.safetensors");
        AtomicFile.writeString(f, "new");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f),
                "a new file gets what a plain create gives (0666 less the umask), not 0600");
        Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(f, custom);
        AtomicFile.writeString(f, "newer");
        assertEquals(custom, Files.getPosixFilePermissions(f), "a replaced file keeps its permissions");
    }

    @Test
    void concurrentWritersLeaveOneWholeFile() throws Exception {
        Path f = dir.resolve("race.json");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String text = String.valueOf((char) ('a' + i)).repeat(200_000);
                jobs.add(pool.submit(() -> AtomicFile.writeString(f, text)));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } finally {
            pool.shutdown();
        }
        String s = Files.readString(f);
        assertEquals(200_000, s.length());
        assertEquals(1, s.chars().distinct().count(), "the file mixes two writers' content");
        assertEquals(List.of("race.json"), names(dir));
    }

    @Test
    void checkWritableAcceptsANewFileInANewDirectoryAndLeavesNothing() {
        AtomicFile.checkWritable(dir.resolve("new/dir/out.json"), "--json");
        AtomicFile.checkWritable(dir.resolve("out.json"), "--json");
        assertEquals(List.of(), names(dir));
    }

    @Test
    void checkWritableRefusesDirectoriesPseudoFilesAndFilesUsedAsDirectories() throws IOException {
        Path d = Files.createDirectory(dir.resolve("d"));
        assertEquals("--json " + d + " is a directory: name a file",
                assertThrows(IllegalArgumentException.class, () -> AtomicFile.checkWritable(d, "--json")).getMessage());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertEquals("--json " + file.resolve("out.json") + ": " + file + " is not a directory",
                assertThrows(IllegalArgumentException.class,
                        () -> AtomicFile.checkWritable(file.resolve("out.json"), "--json")).getMessage());
        if (Files.isDirectory(Path.of("/proc/self"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AtomicFile.checkWritable(Path.of("/proc/self/out.json"), "--json"));
            assertTrue(e.getMessage().startsWith("--json /proc/self/out.json cannot be written: "), e.getMessage());
        }
    }

    private static List<String> names(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
