package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST (plain or gzipped): unsigned-byte images
 * (magic 0x00000803) and labels (0x00000801). Pixels are scaled to 0..1.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    private Idx() {
    }

    /** Images and labels as a data set of n × (rows·cols) pixels in 0..1. */
    public static Dataset load(Path images, Path labels, String name) {
        Matrix x = readImages(images);
        int[] y = readLabels(labels);
        if (x.rows() != y.length) {
            throw new IllegalArgumentException(images + " holds " + x.rows() + " images but " + labels + " holds "
                    + y.length + " labels");
        }
        return Dataset.of(name, x, y);
    }

    public static Matrix readImages(Path path) {
        try (DataInputStream in = open(path)) {
            int[] dims = header(in, path, 3);
            long pixels = (long) dims[1] * dims[2];
            if ((long) dims[0] * pixels > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(path + ": " + dims[0] + " images of " + pixels + " pixels are too many for one array");
            }
            Matrix m = new Matrix(dims[0], (int) pixels);
            byte[] buf = new byte[(int) pixels];
            double[] d = m.data();
            for (int i = 0; i < dims[0]; i++) {
                readFully(in, buf, path, i, dims[0], "image");
                for (int j = 0; j < buf.length; j++) {
                    d[i * buf.length + j] = (buf[j] & 0xff) / 255.0;
                }
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
        }
    }

    public static int[] readLabels(Path path) {
        try (DataInputStream in = open(path)) {
            int[] dims = header(in, path, 1);
            byte[] buf = new byte[dims[0]];
            readFully(in, buf, path, 0, 1, "label block");
            int[] labels = new int[dims[0]];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = buf[i] & 0xff;
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        in.mark(2);
        int b1 = in.read(), b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return new DataInputStream(in);
    }

    private static int[] header(DataInputStream in, Path path, int expectedDims) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(path + ": truncated IDX file (no header)");
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UBYTE || dims != expectedDims) {
            throw new IllegalArgumentException(String.format("%s: IDX magic 0x%08x, expected 0x%08x (unsigned bytes, %d dimension%s)",
                    path, magic, (UBYTE << 8) | expectedDims, expectedDims, expectedDims == 1 ? "" : "s"));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            try {
                sizes[i] = in.readInt();
            } catch (EOFException e) {
                throw new IllegalArgumentException(path + ": truncated IDX header (dimension " + (i + 1) + " missing)");
            }
            if (sizes[i] <= 0) {
                throw new IllegalArgumentException(path + ": dimension " + (i + 1) + " is " + sizes[i]);
            }
        }
        return sizes;
    }

    private static void readFully(DataInputStream in, byte[] buf, Path path, int index, int count, String what) throws IOException {
        try {
            in.readFully(buf);
        } catch (EOFException e) {
            throw new IllegalArgumentException(path + ": truncated IDX file: " + what + " " + (index + 1) + " of " + count
                    + " is incomplete");
        }
    }
}
