package dev.scratchnet.data;

import dev.scratchnet.backend.HostMemory;
import dev.scratchnet.backend.Matrix;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The IDX format of MNIST and Fashion-MNIST (plain or gzipped): unsigned-byte images
 * (magic 0x00000803) and labels (0x00000801). Pixels are scaled to 0..1.
 *
 * <p>A header is never trusted with memory: a plain file's size is checked against what its header
 * claims before anything is allocated, and a gzipped file's records are read into a buffer that
 * grows only as data arrives, so a header claiming two million images in a 78 KB file is refused
 * in one line, not with an OutOfMemoryError. A file that ends early, holds bytes after its last
 * record, or whose gzip trailer is damaged ({@link GzipInput}) is refused too.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    private Idx() {
    }

    /** Images and labels as a data set; the class count is inferred from the labels ({@link Labels#classCount}). */
    public static Dataset load(Path images, Path labels, String name) {
        return load(images, labels, name, null);
    }

    /**
     * Images and labels as a data set of n × (rows·cols) pixels in 0..1, with {@code classes}
     * classes (null: inferred from the labels, refusing labels that leave a gap).
     */
    public static Dataset load(Path images, Path labels, String name, Integer classes) {
        int[] y = readLabels(labels);
        int k = Labels.classCount(y, classes, labels.toString());
        Matrix x = readImages(images);
        if (x.rows() != y.length) {
            throw new IllegalArgumentException(images + " holds " + x.rows() + " images but " + labels + " holds "
                    + y.length + " labels");
        }
        return new Dataset(name, x, y, k);
    }

    public static Matrix readImages(Path path) {
        try (InputStream in = open(path)) {
            return readImages(in, plainSize(path), path.toString());
        } catch (IOException e) {
            throw failure(path, e);
        }
    }

    public static int[] readLabels(Path path) {
        try (InputStream in = open(path)) {
            return readLabels(in, plainSize(path), path.toString());
        } catch (IOException e) {
            throw failure(path, e);
        }
    }

    /**
     * The images of an IDX stream. {@code plainSize} is the stream's length in bytes where it is a
     * plain file (checked against the header before anything is allocated), or −1 for a gzip stream.
     */
    static Matrix readImages(InputStream raw, long plainSize, String source) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int[] dims = header(in, source, 3);
        long pixels = (long) dims[1] * dims[2];
        long count = dims[0];
        String what = count + " images of " + dims[1] + "×" + dims[2] + " pixels";
        if (count * pixels > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(source + ": the header claims " + what + ", too many for one array");
        }
        byte[] data = payload(in, count * pixels, Double.BYTES, plainSize, 16, source, what, pixels, "image");
        Matrix m = new Matrix(dims[0], (int) pixels);
        double[] d = m.data();
        for (int i = 0; i < data.length; i++) {
            d[i] = (data[i] & 0xff) / 255.0;
        }
        return m;
    }

    /** The labels of an IDX stream; {@code plainSize} as for {@link #readImages(InputStream, long, String)}. */
    static int[] readLabels(InputStream raw, long plainSize, String source) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int[] dims = header(in, source, 1);
        String what = dims[0] + " labels";
        byte[] data = payload(in, dims[0], Integer.BYTES, plainSize, 8, source, what, 1, "label");
        int[] labels = new int[data.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data[i] & 0xff;
        }
        return labels;
    }

    /**
     * The {@code bytes} bytes of records after the header, refusing a stream that holds fewer or
     * more. A plain file's size is checked first, then the Java heap for the bytes and the
     * {@code bytesPerValue}-byte values they become; a gzip stream's buffer grows only as data arrives.
     */
    private static byte[] payload(DataInputStream in, long bytes, int bytesPerValue, long plainSize, int headerBytes, String source, String what,
                                  long recordBytes, String record) throws IOException {
        if (plainSize >= 0) {
            long held = plainSize - headerBytes;
            if (held < bytes) {
                throw new IllegalArgumentException(source + ": the header claims " + what + " (" + bytes + " bytes), but the file holds "
                        + held + " bytes after the header (" + held / recordBytes + " whole " + record + (held / recordBytes == 1 ? "" : "s") + ")");
            }
            if (held > bytes) {
                throw new IllegalArgumentException(source + ": " + (held - bytes) + " bytes after the last " + record
                        + " (the header claims " + what + ")");
            }
        }
        if (plainSize >= 0) {
            HostMemory.require(bytes * (1 + bytesPerValue), "reading " + what, source);
        }
        byte[] data = new byte[(int) Math.min(bytes, 1 << 20)];
        int filled = 0;
        while (filled < bytes) {
            if (filled == data.length) {
                long grown = Math.min(bytes, 2L * data.length);
                HostMemory.require(grown * (1 + bytesPerValue), "reading " + what + " (" + filled + " bytes so far)", source);
                data = Arrays.copyOf(data, (int) grown);
            }
            int r = in.read(data, filled, data.length - filled);
            if (r < 0) {
                throw new IllegalArgumentException(source + ": the file ends early: the header claims " + what + ", but it holds "
                        + filled / recordBytes + " whole " + record + (filled / recordBytes == 1 ? "" : "s") + " (" + filled + " bytes)");
            }
            filled += r;
        }
        long extra = drain(in);   // to the end: a gzip stream checks its trailer there
        if (extra > 0) {
            throw new IllegalArgumentException(source + ": " + extra + " bytes after the last " + record + " (the header claims " + what + ")");
        }
        return data;
    }

    private static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] sink = new byte[1 << 14];
        int r;
        while ((r = in.read(sink)) > 0) {
            n += r;
        }
        return n;
    }

    /** The plain file's size, or −1 if it is gzipped. */
    private static long plainSize(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            int b1 = in.read(), b2 = in.read();
            return GzipInput.looksLikeGzip(b1, b2) ? -1 : Files.size(path);
        }
    }

    private static InputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        in.mark(2);
        int b1 = in.read(), b2 = in.read();
        in.reset();
        return GzipInput.looksLikeGzip(b1, b2) ? new GzipInput(in, path.toString()) : in;
    }

    private static RuntimeException failure(Path path, IOException e) {
        if (e instanceof GzipInput.BadGzipException) {
            return new IllegalArgumentException(e.getMessage(), e);
        }
        return new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
    }

    private static int[] header(DataInputStream in, String source, int expectedDims) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(source + ": truncated IDX file (no header)");
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UBYTE || dims != expectedDims) {
            throw new IllegalArgumentException(String.format("%s: IDX magic 0x%08x, expected 0x%08x (unsigned bytes, %d dimension%s)",
                    source, magic, (UBYTE << 8) | expectedDims, expectedDims, expectedDims == 1 ? "" : "s"));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            try {
                sizes[i] = in.readInt();
            } catch (EOFException e) {
                throw new IllegalArgumentException(source + ": truncated IDX header (dimension " + (i + 1) + " missing)");
            }
            if (sizes[i] <= 0) {
                throw new IllegalArgumentException(source + ": dimension " + (i + 1) + " is " + sizes[i]);
            }
        }
        return sizes;
    }
}
