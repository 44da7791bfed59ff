package dev.scratchnet.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader search a probe runs before JOCL: found, missing, or present but not loadable. */
class NativeLibraryTest {
    @Test
    void aMissingLibraryIsNamed(@TempDir Path dir) {
        NativeLibrary.Lookup l = NativeLibrary.find("libOpenCL.so.1", List.of(dir));
        assertEquals("no libOpenCL.so.1", l.reason());
        assertTrue(!l.usable());
    }

    @Test
    void anEmptyOrNonElfOrForeignFileIsNotLoadable(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("libOpenCL.so.1"));
        NativeLibrary.Lookup l = NativeLibrary.find("libOpenCL.so.1", List.of(dir));
        assertEquals("libOpenCL.so.1 at " + empty + " is not a loadable library (an empty file)", l.reason());
        Files.writeString(empty, "INPUT(libOpenCL.so.1.0.0) /* a linker script */");
        assertEquals("not an ELF file", NativeLibrary.problem(empty));
        byte[] elf32 = new byte[64];
        elf32[0] = 0x7f;
        elf32[1] = 'E';
        elf32[2] = 'L';
        elf32[3] = 'F';
        elf32[4] = 1;
        Files.write(empty, elf32);
        assertEquals("built for another kind of machine", NativeLibrary.problem(empty));
        Path link = Files.createSymbolicLink(dir.resolve("libgone.so.1"), dir.resolve("nowhere"));
        assertEquals("a broken symbolic link", NativeLibrary.find("libgone.so.1", List.of(dir)).problem);
        assertEquals("not a regular file", NativeLibrary.problem(Path.of("/dev/null")));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void theFirstDirectoryHoldingTheLibraryWinsAsWithTheLinker(@TempDir Path dir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        Path a = Files.createDirectory(dir.resolve("a")), b = Files.createDirectory(dir.resolve("b"));
        Files.copy(java, b.resolve("libjava.so"));
        NativeLibrary.Lookup l = NativeLibrary.find("libjava.so", List.of(a, b));
        assertEquals(b.resolve("libjava.so"), l.path);
        assertNull(l.problem, "a real shared object of this machine is loadable");
        assertTrue(l.usable());
    }

    @Test
    void theLdSoCacheDirectoriesAreRead(@TempDir Path dir) throws IOException {
        byte[] cache = ("glibc-ld.so.cache1.1\0\0junk\0libOpenCL.so.1\0/opt/vendor/lib/libOpenCL.so.1\0libm.so.6\0/lib/x86_64-linux-gnu/libm.so.6\0")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path f = Files.write(dir.resolve("ld.so.cache"), cache);
        assertEquals(List.of(Path.of("/opt/vendor/lib"), Path.of("/lib/x86_64-linux-gnu")), List.copyOf(NativeLibrary.cacheDirectories(f)));
    }
}
