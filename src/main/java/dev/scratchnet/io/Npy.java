package dev.scratchnet.io;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy's {@code .npy} format (format versions 1.0, 2.0 and 3.0): the magic {@code \x93NUMPY}, two
 * version bytes, a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), a Python dict
 * literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }} padded with spaces
 * to a multiple of 64 bytes and ending in a newline, then the raw values.
 *
 * <p>Read: {@code f4}, {@code f8}, {@code i4}, {@code i8} in either byte order, C or (up to two
 * dimensions) Fortran order, and one Unicode string ({@code <Un}, zero or one element). Every
 * size is checked against the bytes there are before anything is allocated; any fault is a
 * {@link ModelFormatException} of one line. Written: version 1.0, little-endian, C order.
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** A header longer than this is refused (NumPy's own limit is 10 000 bytes). */
    static final int MAX_HEADER = 1 << 16;

    private Npy() {
    }

    /** What one .npy holds: a numeric array, or a single string. */
    public static final class Content {
        public final NdArray array;
        public final String text;

        Content(NdArray array, String text) {
            this.array = array;
            this.text = text;
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    /** Writes {@code a} as a version 1.0 .npy, little-endian, C order. */
    public static void write(OutputStream out, NdArray a) throws IOException {
        out.write(header("<" + a.dtype().numpy, shapeLiteral(a.shape())));
        ByteBuffer b = ByteBuffer.allocate((int) a.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        a.encode(b);
        out.write(b.array());
    }

    /** Writes one string as a 0-d {@code <Un} array (UTF-32LE), which {@code str(np.load(f))} gives back. */
    public static void writeString(OutputStream out, String s) throws IOException {
        int[] cps = s.codePoints().toArray();
        int n = Math.max(1, cps.length);
        out.write(header("<U" + n, "()"));
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int cp : cps) {
            b.putInt(cp);
        }
        out.write(b.array());
    }

    /** The bytes {@link #write} produces. */
    public static byte[] toBytes(NdArray a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) a.byteSize() + 128);
        try {
            write(bytes, a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] stringBytes(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeString(bytes, s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] header(String descr, String shape) {
        StringBuilder h = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(shape).append(", }");
        int total = MAGIC.length + 4 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h.append(" ".repeat(pad)).append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    private static String shapeLiteral(long[] shape) {
        if (shape.length == 0) {
            return "()";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    // ---- reading ----------------------------------------------------------------------------

    /**
     * Reads one .npy from {@code in}, which holds exactly {@code length} bytes (a file, or a zip
     * entry of that size). {@code where} names it in errors ("model.npz: W1.npy").
     */
    public static Content read(InputStream in, long length, String where) {
        try {
            return readChecked(in, length, where);
        } catch (EOFException e) {
            throw new ModelFormatException(where + ": cut off (the file ends inside the array)");
        } catch (IOException e) {
            throw new ModelFormatException(where + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static Content readChecked(InputStream in, long length, String where) throws IOException {
        if (length < MAGIC.length + 4) {
            throw new ModelFormatException(where + ": not a .npy file (" + length + " bytes, shorter than the .npy preamble)");
        }
        byte[] pre = readFully(in, MAGIC.length + 4);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new ModelFormatException(where + ": not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = pre[6] & 0xff;
        long headerLength;
        int preamble;
        if (major == 1) {
            headerLength = (pre[8] & 0xff) | ((pre[9] & 0xff) << 8);
            preamble = 10;
        } else if (major == 2 || major == 3) {
            byte[] two = readFully(in, 2);
            headerLength = (pre[8] & 0xffL) | ((pre[9] & 0xffL) << 8) | ((two[0] & 0xffL) << 16) | ((two[1] & 0xffL) << 24);
            preamble = 12;
        } else {
            throw new ModelFormatException(where + ": .npy format version " + major + "." + (pre[7] & 0xff)
                    + " is not one scratchnet reads (1.0, 2.0, 3.0)");
        }
        if (headerLength > MAX_HEADER || headerLength > length - preamble) {
            throw new ModelFormatException(where + ": the .npy header claims " + headerLength + " bytes, "
                    + (headerLength > length - preamble ? "the file has " + (length - preamble) + " after the preamble"
                    : "more than the " + MAX_HEADER + " allowed"));
        }
        byte[] headerBytes = readFully(in, (int) headerLength);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, where);
        long dataLength = length - preamble - headerLength;
        long count = NdArray.elementCount(h.shape);
        long need = count < 0 || count > Long.MAX_VALUE / h.itemSize ? -1 : count * h.itemSize;
        if (need < 0 || need > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(where + ": the header's shape " + h.shapeText() + " is too large to read");
        }
        if (need > dataLength) {
            throw new ModelFormatException(where + ": cut off inside the array: shape " + h.shapeText() + " of " + h.descr
                    + " needs " + need + " bytes of data, " + dataLength + " follow the header");
        }
        if (need < dataLength) {
            throw new ModelFormatException(where + ": " + (dataLength - need) + " bytes after the array's data (shape "
                    + h.shapeText() + " of " + h.descr + ")");
        }
        byte[] data = readFully(in, (int) need);
        ByteBuffer b = ByteBuffer.wrap(data).order(h.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (h.unicode) {
            if (count > 1) {
                throw new ModelFormatException(where + ": a string array of shape " + h.shapeText() + ": expected one string");
            }
            StringBuilder s = new StringBuilder();
            for (long i = 0; i < count * h.itemSize / 4; i++) {
                int cp = b.getInt();
                if (cp == 0) {
                    break;
                }
                if (!Character.isValidCodePoint(cp)) {
                    throw new ModelFormatException(where + ": the string holds an invalid code point " + Integer.toHexString(cp));
                }
                s.appendCodePoint(cp);
            }
            return new Content(null, s.toString());
        }
        NdArray a = NdArray.decode(b, h.dtype, h.shape, (int) count);
        if (h.fortranOrder && h.shape.length > 1) {
            a = fromFortranOrder(a, where);
        }
        return new Content(a, null);
    }

    private static NdArray fromFortranOrder(NdArray a, String where) {
        long[] shape = a.shape();
        if (shape.length != 2) {
            throw new ModelFormatException(where + ": a Fortran-order array of " + shape.length
                    + " dimensions (scratchnet reads Fortran order up to two)");
        }
        int rows = (int) shape[0], cols = (int) shape[1];
        if (a.dtype().isFloat()) {
            double[] src = a.floats(), dst = new double[src.length];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    dst[i * cols + j] = src[j * rows + i];
                }
            }
            return NdArray.ofFloats(a.dtype(), shape, dst);
        }
        long[] src = a.ints(), dst = new long[src.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                dst[i * cols + j] = src[j * rows + i];
            }
        }
        return NdArray.ofInts(a.dtype(), shape, dst);
    }

    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new EOFException();
            }
            off += r;
        }
        return b;
    }

    /** The parsed header dict. */
    static final class Header {
        String descr;
        NdArray.DType dtype;
        boolean bigEndian;
        boolean unicode;
        int itemSize;
        boolean fortranOrder;
        long[] shape;

        String shapeText() {
            return java.util.Arrays.toString(shape).replace('[', '(').replace(']', ')');
        }

        static Header parse(String text, String where) {
            Literal p = new Literal(text, where);
            Header h = new Header();
            boolean seenDescr = false, seenOrder = false, seenShape = false;
            p.expect('{');
            while (!p.peek('}')) {
                String key = p.string();
                p.expect(':');
                switch (key) {
                    case "descr": h.descr = p.string(); seenDescr = true; break;
                    case "fortran_order": h.fortranOrder = p.bool(); seenOrder = true; break;
                    case "shape": h.shape = p.tuple(); seenShape = true; break;
                    default: throw p.fail("unexpected key '" + key + "'");
                }
                if (!p.peek('}')) {
                    p.expect(',');
                }
            }
            p.expect('}');
            p.end();
            if (!seenDescr || !seenOrder || !seenShape) {
                throw new ModelFormatException(where + ": the .npy header lacks "
                        + (!seenDescr ? "'descr'" : !seenOrder ? "'fortran_order'" : "'shape'"));
            }
            h.describe(where);
            return h;
        }

        private void describe(String where) {
            String d = descr;
            if (d.length() < 3) {
                throw unsupported(where);
            }
            char order = d.charAt(0);
            if (order != '<' && order != '>' && order != '|' && order != '=') {
                throw unsupported(where);
            }
            bigEndian = order == '>';
            String code = d.substring(1);
            if (code.startsWith("U")) {
                int n;
                try {
                    n = Integer.parseInt(code.substring(1));
                } catch (NumberFormatException e) {
                    throw unsupported(where);
                }
                if (n < 1 || n > (1 << 24)) {
                    throw unsupported(where);
                }
                unicode = true;
                itemSize = 4 * n;
                return;
            }
            dtype = NdArray.DType.ofNumpy(code);
            if (dtype == null || order == '|') {
                throw unsupported(where);
            }
            itemSize = dtype.bytes;
        }

        private ModelFormatException unsupported(String where) {
            return new ModelFormatException(where + ": element type '" + descr
                    + "' is not one scratchnet reads (f4, f8, i4, i8 in either byte order, or one string <Un)");
        }
    }

    /** A tiny reader for the Python literals a .npy header holds. */
    private static final class Literal {
        private final String s;
        private final String where;
        private int i;

        Literal(String s, String where) {
            this.s = s;
            this.where = where;
        }

        private void skip() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) {
                i++;
            }
        }

        boolean peek(char c) {
            skip();
            return i < s.length() && s.charAt(i) == c;
        }

        void expect(char c) {
            skip();
            if (i >= s.length() || s.charAt(i) != c) {
                throw fail("expected '" + c + "'");
            }
            i++;
        }

        void end() {
            skip();
            if (i != s.length()) {
                throw fail("text after the dict");
            }
        }

        String string() {
            skip();
            if (i >= s.length() || (s.charAt(i) != '\'' && s.charAt(i) != '"')) {
                throw fail("expected a quoted string");
            }
            char q = s.charAt(i++);
            int start = i;
            while (i < s.length() && s.charAt(i) != q) {
                if (s.charAt(i) == '\\') {
                    throw fail("escapes in a string");
                }
                i++;
            }
            if (i >= s.length()) {
                throw fail("a string is not closed");
            }
            return s.substring(start, i++);
        }

        boolean bool() {
            skip();
            if (s.startsWith("True", i)) {
                i += 4;
                return true;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return false;
            }
            throw fail("expected True or False");
        }

        long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                skip();
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i)) && i - start < 19) {
                    i++;
                }
                if (start == i || (i < s.length() && Character.isDigit(s.charAt(i)))) {
                    throw fail("expected a dimension (a whole number below 10^19)");
                }
                dims.add(Long.parseLong(s.substring(start, i)));
                if (dims.size() > 32) {
                    throw fail("more than 32 dimensions");
                }
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            long[] out = new long[dims.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = dims.get(k);
            }
            return out;
        }

        ModelFormatException fail(String what) {
            return new ModelFormatException(where + ": the .npy header is not one scratchnet reads (" + what + " at character "
                    + i + ")");
        }
    }
}
