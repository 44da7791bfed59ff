package dev.scratchnet.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz}: a zip archive of {@code NAME.npy} members, as {@code np.savez} writes it
 * (stored, not compressed); {@code np.load(FILE)[NAME]} gives each array. Reading also takes
 * deflated members ({@code np.savez_compressed}). Each member's declared size bounds what is read,
 * so a member that claims more than the archive holds is refused before anything is allocated.
 */
public final class Npz {
    /** More members than this is not a scratchnet file. */
    static final int MAX_MEMBERS = 4096;

    private Npz() {
    }

    /**
     * Writes each entry as {@code NAME.npy}, in order: an {@link NdArray}, or a {@link String}
     * (a 0-d Unicode array).
     */
    public static void write(OutputStream out, Map<String, ?> entries) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setMethod(ZipOutputStream.STORED);
        for (Map.Entry<String, ?> e : entries.entrySet()) {
            Object v = e.getValue();
            byte[] bytes = v instanceof String ? Npy.stringBytes((String) v) : Npy.toBytes((NdArray) v);
            ZipEntry z = new ZipEntry(e.getKey() + ".npy");
            CRC32 crc = new CRC32();
            crc.update(bytes);
            z.setSize(bytes.length);
            z.setCompressedSize(bytes.length);
            z.setCrc(crc.getValue());
            z.setTime(315532800000L);   // 1980-01-01: the same bytes for the same arrays
            zip.putNextEntry(z);
            zip.write(bytes);
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Every member of {@code file}, by name without {@code .npy}, in archive order. */
    public static Map<String, Npy.Content> read(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(name + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        Map<String, Npy.Content> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            int count = 0;
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (++count > MAX_MEMBERS) {
                    throw new ModelFormatException(name + ": more than " + MAX_MEMBERS + " members: not a model file");
                }
                String member = e.getName();
                if (e.isDirectory() || !member.endsWith(".npy") || member.length() == 4) {
                    throw new ModelFormatException(name + ": member '" + printable(member)
                            + "' is not an array (an .npz holds only NAME.npy members)");
                }
                String key = member.substring(0, member.length() - 4);
                if (out.containsKey(key)) {
                    throw new ModelFormatException(name + ": member '" + printable(member) + "' appears twice");
                }
                long size = e.getSize();
                if (size < 0 || size > Integer.MAX_VALUE - 8) {
                    throw new ModelFormatException(name + ": member '" + printable(member) + "' claims " + size
                            + " bytes: not a model file");
                }
                if (e.getMethod() == ZipEntry.STORED && size > Files.size(file)) {
                    throw new ModelFormatException(name + ": member '" + printable(member) + "' claims " + size
                            + " bytes, the archive has " + Files.size(file));
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, Npy.read(in, size, name + ": " + printable(member)));
                }
            }
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
            throw new ModelFormatException(name + ": not a readable .npz (zip) archive: " + why, e);
        }
        if (out.isEmpty()) {
            throw new ModelFormatException(name + ": the archive holds no arrays");
        }
        return out;
    }

    /** A member name as it may be shown on one line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append('?');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
