package dev.scratchnet.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
 * JSON, then the tensors' raw little-endian bytes. The JSON maps each tensor's name to its
 * {@code dtype}, {@code shape} and {@code data_offsets} [begin, end) within the data, and
 * {@code __metadata__} to a string-to-string map.
 *
 * <p>Reading checks everything before decoding a value: the header length against the file, the
 * JSON (strict), each dtype and shape, that each tensor's offsets span exactly its bytes, and
 * that the tensors tile the data with no overlap, gap or excess (the rule the reference
 * implementation applies). Every fault is one {@link ModelFormatException} line.
 */
public final class SafeTensors {
    /** The reference implementation's limit on the header. */
    static final long MAX_HEADER = 100L << 20;
    public static final String METADATA = "__metadata__";

    private SafeTensors() {
    }

    /** Tensors by name, in file order, and the string metadata. */
    public static final class Contents {
        public final Map<String, NdArray> tensors;
        public final Map<String, String> metadata;

        Contents(Map<String, NdArray> tensors, Map<String, String> metadata) {
            this.tensors = Collections.unmodifiableMap(tensors);
            this.metadata = Collections.unmodifiableMap(metadata);
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    /** Writes the tensors in order, contiguously, after a header padded with spaces to a multiple of 8 bytes. */
    public static void write(OutputStream out, Map<String, NdArray> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add(METADATA, m);
        }
        long offset = 0;
        for (Map.Entry<String, NdArray> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor cannot be called " + METADATA);
            }
            NdArray a = e.getValue();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", a.dtype().safetensors);
            JsonArray shape = new JsonArray();
            for (long d : a.shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + a.byteSize());
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
            offset += a.byteSize();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        out.write(head.array());
        byte[] chunk = new byte[1 << 16];
        ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        for (NdArray a : tensors.values()) {
            if (a.byteSize() <= chunk.length) {
                buf.clear();
                a.encode(buf);
                out.write(chunk, 0, buf.position());
            } else {
                ByteBuffer big = ByteBuffer.allocate((int) a.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                a.encode(big);
                out.write(big.array());
            }
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    /** Reads and checks {@code file}. */
    public static Contents read(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(name + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(name + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, name);
            long n = len.getLong(0);
            if (n < 0 || n > size - 8) {
                throw new ModelFormatException(name + ": the header length " + Long.toUnsignedString(n)
                        + " is past the end of the file (" + (size - 8) + " bytes follow the length): not a safetensors file, or cut off");
            }
            if (n > MAX_HEADER) {
                throw new ModelFormatException(name + ": the header length " + n + " is over the " + MAX_HEADER + " bytes safetensors allows");
            }
            if (size - 8 - n > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(name + ": " + (size - 8 - n) + " bytes of tensor data: too large for scratchnet");
            }
            ByteBuffer head = ByteBuffer.allocate((int) n);
            readFully(ch, head, 8, name);
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(name, head.array(), metadata);
            long dataLength = size - 8 - n;
            checkLayout(name, entries, dataLength);
            ByteBuffer data = ByteBuffer.allocate((int) dataLength);
            readFully(ch, data, 8 + n, name);
            data.order(ByteOrder.LITTLE_ENDIAN);
            Map<String, NdArray> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                data.position((int) e.begin);
                tensors.put(e.name, NdArray.decode(data, e.dtype, e.shape, (int) e.count));
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new ModelFormatException(name + ": " + AtomicFile.describe(e), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, String name) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw new ModelFormatException(name + ": the file ended while reading it (was it being written?)");
            }
            pos += r;
        }
    }

    /** One tensor's header entry. */
    private static final class Entry {
        String name;
        NdArray.DType dtype;
        long[] shape;
        long count;
        long begin;
        long end;
    }

    private static List<Entry> parseHeader(String file, byte[] bytes, Map<String, String> metadata) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file + ": the header is not UTF-8 text: not a safetensors file");
        }
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new ModelFormatException(file + ": the header does not start with '{': not a safetensors file");
        }
        JsonObject root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement el = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new ModelFormatException(file + ": text after the header's JSON object");
            }
            root = el.getAsJsonObject();
        } catch (JsonParseException | IOException | IllegalStateException | StackOverflowError e) {
            String why = e instanceof StackOverflowError ? "nested too deeply" : String.valueOf(e.getMessage()).split("\n")[0];
            throw new ModelFormatException(file + ": the header is not valid JSON (" + why + ")");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> m : root.entrySet()) {
            String key = m.getKey();
            String where = file + ": tensor '" + Npz.printable(key) + "'";
            if (key.equals(METADATA)) {
                if (!m.getValue().isJsonObject()) {
                    throw new ModelFormatException(file + ": " + METADATA + " is not an object of strings");
                }
                for (Map.Entry<String, JsonElement> kv : m.getValue().getAsJsonObject().entrySet()) {
                    JsonElement v = kv.getValue();
                    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                        throw new ModelFormatException(file + ": " + METADATA + " '" + Npz.printable(kv.getKey())
                                + "' is not a string (safetensors metadata maps strings to strings)");
                    }
                    metadata.put(kv.getKey(), v.getAsString());
                }
                continue;
            }
            if (!m.getValue().isJsonObject()) {
                throw new ModelFormatException(where + " is not an object with dtype, shape and data_offsets");
            }
            JsonObject t = m.getValue().getAsJsonObject();
            for (String field : t.keySet()) {
                if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
                    throw new ModelFormatException(where + " has an unknown field '" + Npz.printable(field) + "'");
                }
            }
            Entry e = new Entry();
            e.name = key;
            JsonElement dtype = t.get("dtype");
            if (dtype == null || !dtype.isJsonPrimitive() || !dtype.getAsJsonPrimitive().isString()) {
                throw new ModelFormatException(where + " has no dtype string");
            }
            e.dtype = NdArray.DType.ofSafetensors(dtype.getAsString());
            if (e.dtype == null) {
                throw new ModelFormatException(where + " has dtype " + Npz.printable(dtype.getAsString())
                        + ", not one scratchnet reads (F32, F64, I32, I64)");
            }
            e.shape = longs(t.get("shape"), where, "shape", -1);
            long[] offsets = longs(t.get("data_offsets"), where, "data_offsets", 2);
            e.begin = offsets[0];
            e.end = offsets[1];
            if (e.begin > e.end) {
                throw new ModelFormatException(where + " has data_offsets [" + e.begin + ", " + e.end + "]: the end is before the begin");
            }
            e.count = NdArray.elementCount(e.shape);
            if (e.count < 0 || e.count > (Integer.MAX_VALUE - 8) / e.dtype.bytes) {
                throw new ModelFormatException(where + " has shape " + java.util.Arrays.toString(e.shape) + ": too large");
            }
            if (e.count * e.dtype.bytes != e.end - e.begin) {
                throw new ModelFormatException(where + ": shape " + java.util.Arrays.toString(e.shape) + " of " + e.dtype.safetensors
                        + " needs " + e.count * e.dtype.bytes + " bytes, its data_offsets span " + (e.end - e.begin));
            }
            entries.add(e);
        }
        return entries;
    }

    private static long[] longs(JsonElement el, String where, String field, int length) {
        if (el == null || !el.isJsonArray()) {
            throw new ModelFormatException(where + " has no " + field + " list");
        }
        JsonArray a = el.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw new ModelFormatException(where + ": " + field + " has " + a.size() + " numbers, expected " + length);
        }
        if (a.size() > 32) {
            throw new ModelFormatException(where + ": " + field + " has " + a.size() + " numbers: too many dimensions");
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            String s = v.isJsonPrimitive() && ((JsonPrimitive) v).isNumber() ? v.getAsString() : null;
            if (s == null || !s.matches("[0-9]{1,18}")) {
                throw new ModelFormatException(where + ": " + field + " holds " + Npz.printable(String.valueOf(v))
                        + ", not a whole number from 0 to 10^18");
            }
            out[i] = Long.parseLong(s);
        }
        return out;
    }

    private static void checkLayout(String file, List<Entry> entries, long dataLength) {
        for (Entry e : entries) {
            if (e.end > dataLength) {
                throw new ModelFormatException(file + ": cut off inside tensor '" + Npz.printable(e.name) + "': its data_offsets end at "
                        + e.end + ", the file has " + dataLength + " bytes of data");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long at = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new ModelFormatException(file + ": tensors '" + Npz.printable(prev.name) + "' and '" + Npz.printable(e.name)
                        + "' overlap (bytes " + e.begin + " to " + Math.min(at, e.end) + ")");
            }
            if (e.begin > at) {
                throw new ModelFormatException(file + ": bytes " + at + " to " + e.begin + " of the data belong to no tensor");
            }
            at = e.end;
            prev = e;
        }
        if (at != dataLength) {
            throw new ModelFormatException(file + ": " + (dataLength - at) + " bytes after the last tensor's data belong to no tensor");
        }
    }
}
