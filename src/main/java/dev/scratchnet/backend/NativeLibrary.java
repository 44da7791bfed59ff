package dev.scratchnet.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Looks for a shared library where the Linux dynamic linker would ({@code LD_LIBRARY_PATH}, the
 * paths named in {@code /etc/ld.so.cache}, the standard directories) without loading it, and checks
 * that what it finds is an ELF shared object for this machine. A probe asks here first, so a missing
 * or broken library becomes its reason line: JOCL, asked to load a missing libOpenCL.so.1, writes
 * "Could not load libOpenCL.so.1" to standard output from native code, which nothing can redirect.
 */
public final class NativeLibrary {
    /** What a search found: the path, or null, and why the library cannot be used, or null. */
    public static final class Lookup {
        public final String soname;
        public final Path path;
        public final String problem;

        Lookup(String soname, Path path, String problem) {
            this.soname = soname;
            this.path = path;
            this.problem = problem;
        }

        /** True where a library was found and looks loadable. */
        public boolean usable() {
            return path != null && problem == null;
        }

        /** One line: "no libX" or "libX at PATH is not a loadable library (why)"; null when usable. */
        public String reason() {
            if (path == null) {
                return "no " + soname;
            }
            return problem == null ? null : soname + " at " + path + " is not a loadable library (" + problem + ")";
        }
    }

    static final List<Path> STANDARD_DIRECTORIES = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib/aarch64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"),
            Path.of("/lib"), Path.of("/usr/lib"), Path.of("/usr/local/lib"));

    private NativeLibrary() {
    }

    /** True on Linux, the only system where {@link #find} knows the linker's rules. */
    public static boolean searchable() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** Finds {@code soname} (e.g. "libOpenCL.so.1") in the linker's search order. */
    public static Lookup find(String soname) {
        return find(soname, searchPath());
    }

    /** Finds {@code soname} in {@code directories}, in order; the first entry that exists wins, as with the linker. */
    public static Lookup find(String soname, List<Path> directories) {
        for (Path dir : directories) {
            Path p = dir.resolve(soname);
            if (Files.exists(p) || Files.isSymbolicLink(p)) {
                return new Lookup(soname, p, problem(p));
            }
        }
        return new Lookup(soname, null, null);
    }

    /** LD_LIBRARY_PATH, then the directories of /etc/ld.so.cache's entries, then the standard ones. */
    static List<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.addAll(cacheDirectories(Path.of("/etc/ld.so.cache")));
        dirs.addAll(STANDARD_DIRECTORIES);
        return new ArrayList<>(dirs);
    }

    /** The directories of the absolute paths stored in an ld.so.cache (its strings are NUL-terminated). */
    static Set<Path> cacheDirectories(Path cache) {
        Set<Path> dirs = new LinkedHashSet<>();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cache);
        } catch (IOException | SecurityException e) {
            return dirs;
        }
        int start = -1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '/' && start < 0 && (i == 0 || bytes[i - 1] == 0)) {
                start = i;
            } else if (bytes[i] == 0 && start >= 0) {
                String s = new String(bytes, start, i - start, StandardCharsets.ISO_8859_1);
                int slash = s.lastIndexOf('/');
                if (slash > 0) {
                    dirs.add(Path.of(s.substring(0, slash)));
                }
                start = -1;
            }
        }
        return dirs;
    }

    /** Why {@code file} is not an ELF shared object for this machine, or null if it looks like one. */
    public static String problem(Path file) {
        if (!Files.exists(file)) {
            return "a broken symbolic link";
        }
        if (!Files.isRegularFile(file)) {
            return "not a regular file";
        }
        byte[] head = new byte[20];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
                n += r;
            }
        } catch (IOException e) {
            return "cannot be read: " + e.getMessage();
        }
        if (n == 0) {
            return "an empty file";
        }
        if (n < head.length || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            return "not an ELF file";
        }
        int machine = (head[18] & 0xff) | (head[19] & 0xff) << 8;   // e_machine, little-endian on both supported machines
        Integer expected = expectedMachine();
        if (head[4] != 2 || (expected != null && machine != expected)) {
            return "built for another kind of machine";
        }
        return null;
    }

    private static Integer expectedMachine() {
        switch (System.getProperty("os.arch", "")) {
            case "amd64": case "x86_64": return 62;
            case "aarch64": case "arm64": return 183;
            default: return null;
        }
    }
}
