package dev.scratchnet.io;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.Loss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model files written and read back, and each fault the issue lists answered in one line. */
class ModelFileTest {
    @TempDir
    Path dir;

    static SavedModel model(Precision p) {
        Matrix w1 = new Matrix(3, 4), w2 = new Matrix(4, 2);
        for (int i = 0; i < w1.size(); i++) {
            w1.data()[i] = Math.sin(i + 1) / 3;
        }
        for (int i = 0; i < w2.size(); i++) {
            w2.data()[i] = Math.cos(i + 1) / 7;
        }
        if (p == Precision.FP32) {
            for (Matrix m : new Matrix[] {w1, w2}) {
                for (int i = 0; i < m.size(); i++) {
                    m.data()[i] = (float) m.data()[i];
                }
            }
        }
        Matrix b1 = Matrix.of(new double[] {0.5, -0.25, 0.125, 1}), b2 = Matrix.of(new double[] {-1, 2});
        return new SavedModel(new int[] {3, 4, 2}, List.of(Activation.tanh(), Activation.softmax()), Loss.softmaxCrossEntropy(1e-8), p,
                new double[] {1, 2, 3}, new double[] {0.5, 4, 1}, new String[] {"cat", "dog"}, Map.of("data", "moons", "seed", "7"),
                List.of(w1, w2), List.of(b1, b2));
    }

    @Test
    void bothFormatsGiveBackEveryValueAndTheMetadata() {
        for (Precision p : Precision.values()) {
            SavedModel m = model(p);
            for (String ext : new String[] {".safetensors", ".npz"}) {
                Path f = dir.resolve("m-" + p + ext);
                ModelFile.write(f, m);
                SavedModel r = ModelFile.read(f, w -> { throw new AssertionError(w); });
                assertArrayEquals(m.layerSizes, r.layerSizes);
                assertEquals(m.activations, r.activations);
                assertEquals(p, r.precision);
                assertEquals(m.loss.kind(), r.loss.kind());
                assertEquals(m.loss.epsilon(), r.loss.epsilon());
                assertArrayEquals(m.inputMean, r.inputMean);
                assertArrayEquals(m.inputScale, r.inputScale);
                assertArrayEquals(m.classNames, r.classNames);
                assertEquals("moons", r.info.get("data"));
                for (int l = 0; l < 2; l++) {
                    assertArrayEquals(m.weights.get(l).data(), r.weights.get(l).data(), 0.0, ext + " W" + (l + 1));
                    assertArrayEquals(m.biases.get(l).data(), r.biases.get(l).data(), 0.0, ext + " b" + (l + 1));
                }
            }
        }
    }

    @Test
    void theSafetensorsLayoutIsTheHuggingFaceOne() throws IOException {
        Path f = dir.resolve("m.safetensors");
        ModelFile.write(f, model(Precision.FP32));
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "header padded to 8 bytes");
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"scratchnet-mlp\""), header);
        assertTrue(header.contains("\"W1\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}"), header);
        assertTrue(header.contains("\"b2\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[96,104]}"), header);
        assertEquals(8 + n + 104, b.length);
        assertEquals((float) (Math.sin(1) / 3), ByteBuffer.wrap(b, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void npyWritesNumpysHeaderAndReadsFortranOrderAndBigEndian() throws IOException {
        byte[] b = Npy.toBytes(NdArray.ofFloats(NdArray.DType.F64, new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6}));
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "NumPy aligns the data to 64 bytes");
        assertEquals(10 + headerLength + 48, b.length);
        String header = new String(b, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.endsWith(" \n"), header);
        assertTrue(header.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), header);
        // the same 2×3 matrix stored column-major and big-endian, as NumPy writes np.asfortranarray(a).astype('>f8')
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        String h = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }";
        h = h + " ".repeat(128 - 10 - h.length() - 1) + "\n";
        o.write(Npy.MAGIC);
        o.write(new byte[] {1, 0, (byte) h.length(), 0});
        o.write(h.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(48).order(ByteOrder.BIG_ENDIAN);
        for (double v : new double[] {1, 4, 2, 5, 3, 6}) {
            data.putDouble(v);
        }
        o.write(data.array());
        Npy.Content c = Npy.read(new java.io.ByteArrayInputStream(o.toByteArray()), o.size(), "t.npy");
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.array.floats(), 0.0);
    }

    // ---- the faults the issue lists, one line each -------------------------------------------------

    private String error(Path f) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(f, null));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    private Path safetensors(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "m", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void aWrongExtensionOrMagicIsNamed() throws IOException {
        Path txt = dir.resolve("m.txt");
        Files.writeString(txt, "hello");
        assertTrue(error(txt).endsWith("a model file ends in .safetensors or .npz"), error(txt));
        Path st = dir.resolve("m.safetensors");
        ModelFile.write(dir.resolve("real.npz"), model(Precision.FP64));
        Files.copy(dir.resolve("real.npz"), st);
        assertTrue(error(st).contains("this is a zip archive (an .npz?), not safetensors"), error(st));
        Path npz = dir.resolve("x.npz");
        ModelFile.write(dir.resolve("real.safetensors"), model(Precision.FP64));
        Files.copy(dir.resolve("real.safetensors"), npz);
        assertTrue(error(npz).contains("not an .npz") && error(npz).contains("rename it to .safetensors"), error(npz));
        assertTrue(error(dir.resolve("absent.npz")).endsWith("no such file"));
    }

    @Test
    void aHeaderLengthPastTheEndOfTheFileIsRefusedBeforeAllocating() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        Files.write(f, b.array());
        assertEquals(f + ": the header length 1099511627776 is past the end of the file (8 bytes follow the length): "
                + "not a safetensors file, or cut off", error(f));
        ByteBuffer neg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(f, neg.array());
        assertTrue(error(f).contains("header length 18446744073709551615 is past the end"), error(f));
    }

    @Test
    void overlappingOrOutOfRangeOffsetsAndCutFilesAreNamed() throws IOException {
        String meta = "\"__metadata__\":{\"activations\":\"[\\\"softmax\\\"]\"}";
        String ok = "{" + meta + ",\"W1\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
                + "\"b1\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}}";
        SavedModel m = ModelFile.read(safetensors(ok, new byte[16]), null);
        assertArrayEquals(new int[] {1, 2}, m.layerSizes);
        String overlap = ok.replace("[8,16]", "[4,12]");
        assertTrue(error(safetensors(overlap, new byte[16])).contains("tensors 'W1' and 'b1' overlap"), error(safetensors(overlap, new byte[16])));
        Path cut = safetensors(ok, new byte[12]);
        assertTrue(error(cut).contains("cut off inside tensor 'b1': its data_offsets end at 16, the file has 12 bytes of data"), error(cut));
        Path past = safetensors(ok.replace("[8,16]", "[8,24]").replace("\"shape\":[1,2],\"data_offsets\":[8", "\"shape\":[1,4],\"data_offsets\":[8"),
                new byte[16]);
        assertTrue(error(past).contains("cut off inside tensor 'b1'"), error(past));
        Path gap = safetensors(ok, new byte[20]);
        assertTrue(error(gap).contains("4 bytes after the last tensor's data belong to no tensor"), error(gap));
        Path span = safetensors(ok.replace("[0,8]", "[0,4]").replace("[8,16]", "[4,12]"), new byte[12]);
        assertTrue(error(span).contains("tensor 'W1': shape [1, 2] of F32 needs 8 bytes, its data_offsets span 4"), error(span));
    }

    @Test
    void aDtypeOrShapeThatDoesNotFitTheArchitectureIsNamed() throws IOException {
        Map<String, NdArray> t = new LinkedHashMap<>(model(Precision.FP64).tensors());
        Map<String, String> md = new LinkedHashMap<>(model(Precision.FP64).metadata());
        t.put("W2", NdArray.ofFloats(NdArray.DType.F64, new long[] {5, 2}, new double[10]));
        assertTrue(write(t, md).contains("W2 has shape [5, 2] but W1 has 4 outputs: the layers do not chain"), write(t, md));
        t = new LinkedHashMap<>(model(Precision.FP64).tensors());
        t.put("b1", NdArray.ofFloats(NdArray.DType.F32, new long[] {1, 4}, new double[4]));
        assertTrue(write(t, md).contains("b1 is F32, W1 is F64: every tensor of a model has one dtype"), write(t, md));
        t = new LinkedHashMap<>(model(Precision.FP64).tensors());
        t.put("b2", NdArray.ofInts(NdArray.DType.I32, new long[] {1, 2}, new long[2]));
        assertTrue(write(t, md).contains("b2 has dtype I32: weights are F32 or F64"), write(t, md));
        t = new LinkedHashMap<>(model(Precision.FP64).tensors());
        md.put("layer_sizes", "[3,5,2]");
        assertTrue(write(t, md).contains("which does not fit layer_sizes [3,5,2]"), write(t, md));
        md = new LinkedHashMap<>(model(Precision.FP64).metadata());
        md.put("precision", "fp32");
        assertTrue(write(t, md).contains("precision fp32 but the tensors are F64"), write(t, md));
        md = new LinkedHashMap<>(model(Precision.FP64).metadata());
        t.remove("b2");
        assertTrue(write(t, md).contains("tensor 'b2' is missing"), write(t, md));
    }

    private String write(Map<String, NdArray> t, Map<String, String> md) {
        Path f = dir.resolve("fit-" + System.nanoTime() + ".safetensors");
        AtomicFile.write(f, out -> SafeTensors.write(out, t, md));
        return error(f);
    }

    @Test
    void nonFiniteWeightsAreAWarningNotAnError() {
        SavedModel m = model(Precision.FP64);
        List<Matrix> w = new ArrayList<>(m.weights);
        Matrix bad = w.get(1).copy();
        bad.set(2, 1, Double.NaN);
        bad.set(3, 0, Double.POSITIVE_INFINITY);
        w.set(1, bad);
        SavedModel nan = new SavedModel(m.layerSizes, m.activations, m.loss, m.precision, m.inputMean, m.inputScale, m.classNames,
                m.info, w, m.biases);
        for (String ext : new String[] {".safetensors", ".npz"}) {
            Path f = dir.resolve("nan" + ext);
            ModelFile.write(f, nan);
            List<String> warnings = new ArrayList<>();
            SavedModel r = ModelFile.read(f, warnings::add);
            assertEquals(List.of("warning: " + f + ": W2 holds 2 non-finite values (the first, NaN, at row 2, column 1): "
                    + "its predictions will not be numbers"), warnings);
            assertTrue(Double.isNaN(r.weights.get(1).get(2, 1)));
        }
    }

    @Test
    void aCutOffNpzMemberIsNamed() throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("W1", NdArray.ofFloats(NdArray.DType.F64, new long[] {2, 2}, new double[4]));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        Npz.write(o, e);
        byte[] npy = Npy.toBytes(NdArray.ofFloats(NdArray.DType.F64, new long[] {2, 2}, new double[4]));
        byte[] cut = java.util.Arrays.copyOf(npy, npy.length - 8);
        String m = assertThrows(ModelFormatException.class, () -> Npy.read(new java.io.ByteArrayInputStream(cut), cut.length, "W1.npy"))
                .getMessage();
        assertEquals("W1.npy: cut off inside the array: shape (2, 2) of <f8 needs 32 bytes of data, 24 follow the header", m);
    }
}
