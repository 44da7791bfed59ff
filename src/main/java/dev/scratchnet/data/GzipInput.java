package dev.scratchnet.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip reader (RFC 1952) that refuses what {@link java.util.zip.GZIPInputStream} lets through:
 * a member whose trailer is cut off, bytes after the last member that are not another member, and,
 * because it always reads to the end, a CRC-32 or length mismatch in the trailer of a stream the
 * caller stopped reading early. Every defect is a {@link BadGzipException} whose one-line message
 * names the source. Concatenated members are read in turn, as gzip(1) does.
 */
public final class GzipInput extends InputStream {
    /** A gzip stream that is damaged; the message is one line naming the source. */
    public static final class BadGzipException extends IOException {
        public BadGzipException(String message) {
            super(message);
        }
    }

    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private final PushbackInputStream in;
    private final String source;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    /** How many bytes of buf the last refill put there. */
    private int lastFill;
    private long memberBytes;
    private long memberStart;
    private long consumed;
    private boolean eof;
    private int members;

    /** Reads the gzip stream {@code in}; {@code source} names it in errors. */
    public GzipInput(InputStream in, String source) throws IOException {
        this.in = new PushbackInputStream(in, buf.length);
        this.source = source;
        if (!readHeader()) {
            throw bad("not a gzip file (no gzip header)");
        }
    }

    /** True if {@code head} (at least two bytes) starts like a gzip stream. */
    public static boolean looksLikeGzip(int b1, int b2) {
        return b1 == 0x1f && b2 == 0x8b;
    }

    private BadGzipException bad(String why) {
        return new BadGzipException(source + ": damaged gzip data: " + why);
    }

    private int rawByte() throws IOException {
        int b = in.read();
        if (b >= 0) {
            consumed++;
        }
        return b;
    }

    private int needByte(String what) throws IOException {
        int b = rawByte();
        if (b < 0) {
            throw bad("the file ends inside " + what);
        }
        return b;
    }

    /** Reads a member header; false at a clean end of input (only allowed after a first member). */
    private boolean readHeader() throws IOException {
        memberStart = consumed;
        int id1 = rawByte();
        if (id1 < 0) {
            return false;
        }
        int id2 = rawByte();
        if (id1 != 0x1f || id2 != 0x8b) {
            if (members == 0) {
                return false;
            }
            throw bad("junk after the end of the gzip stream (at byte " + memberStart + ")");
        }
        int cm = needByte("the gzip header");
        int flags = needByte("the gzip header");
        if (cm != 8) {
            throw bad("compression method " + cm + ", expected 8 (deflate)");
        }
        if ((flags & 0xe0) != 0) {
            throw bad("reserved header flags set (0x" + Integer.toHexString(flags) + ")");
        }
        for (int i = 0; i < 6; i++) {
            needByte("the gzip header");   // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int len = needByte("the gzip header") | needByte("the gzip header") << 8;
            for (int i = 0; i < len; i++) {
                needByte("the gzip header's extra field");
            }
        }
        if ((flags & FNAME) != 0) {
            while (needByte("the gzip header's file name") != 0) {
                // skip the stored name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (needByte("the gzip header's comment") != 0) {
                // skip the comment
            }
        }
        if ((flags & FHCRC) != 0) {
            needByte("the gzip header");
            needByte("the gzip header");
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        members++;
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw bad("the compressed data is corrupt (" + e.getMessage() + ")");
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                int left = inflater.getRemaining();
                if (left > 0) {
                    in.unread(buf, lastFill - left, left);   // the next member's bytes, or junk
                    consumed -= left;
                }
                readTrailer();
                if (!readHeader()) {
                    eof = true;
                }
                continue;
            }
            if (inflater.needsDictionary()) {
                throw bad("the compressed data asks for a preset dictionary");
            }
            if (inflater.needsInput()) {
                int r = in.read(buf, 0, buf.length);
                if (r < 0) {
                    throw bad("the file ends inside the compressed data (cut off?)");
                }
                consumed += r;
                lastFill = r;
                inflater.setInput(buf, 0, r);
            }
        }
        return -1;
    }

    private void readTrailer() throws IOException {
        long expectedCrc = 0, expectedSize = 0;
        for (int i = 0; i < 4; i++) {
            int c = rawByte();
            if (c < 0) {
                throw bad("the file ends inside the gzip trailer (cut off)");
            }
            expectedCrc |= (long) c << (8 * i);
        }
        for (int i = 0; i < 4; i++) {
            int c = rawByte();
            if (c < 0) {
                throw bad("the file ends inside the gzip trailer (cut off)");
            }
            expectedSize |= (long) c << (8 * i);
        }
        if (expectedCrc != crc.getValue()) {
            throw bad(String.format("CRC-32 mismatch (the trailer says %08x, the data gives %08x)", expectedCrc, crc.getValue()));
        }
        if (expectedSize != (memberBytes & 0xffffffffL)) {
            throw bad("length mismatch (the trailer says " + expectedSize + " bytes, the data has " + memberBytes + ")");
        }
    }

    /** Reads what is left, so the trailer and anything after it are checked; the count of bytes read. */
    public long drain() throws IOException {
        long n = 0;
        int r;
        byte[] sink = new byte[1 << 14];
        while ((r = read(sink, 0, sink.length)) > 0) {
            n += r;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
