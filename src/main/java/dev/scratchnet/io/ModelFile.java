package dev.scratchnet.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads and writes {@link SavedModel}s: {@code .safetensors} (tensors and {@code __metadata__})
 * or {@code .npz} (one {@code .npy} per tensor and {@code metadata.npy}, a string holding the same
 * metadata as a JSON object), chosen by the file's extension. Writes go through
 * {@link AtomicFile}; reads check the content against the extension and everything in it, and
 * fail with one line.
 */
public final class ModelFile {
    /** The two model formats. */
    public enum Format {
        SAFETENSORS(".safetensors"),
        NPZ(".npz");

        public final String extension;

        Format(String extension) {
            this.extension = extension;
        }
    }

    private ModelFile() {
    }

    /** The format {@code file}'s name asks for; {@code option} names the option in the error. */
    public static Format formatOf(Path file, String option) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (Format f : Format.values()) {
            if (n.endsWith(f.extension) && n.length() > f.extension.length()) {
                return f;
            }
        }
        throw new ModelFormatException(option + " " + file + ": a model file ends in .safetensors or .npz");
    }

    /** Writes {@code model} atomically in the format its name asks for. */
    public static void write(Path file, SavedModel model) {
        Format f = formatOf(file, "model file");
        if (f == Format.SAFETENSORS) {
            AtomicFile.write(file, out -> SafeTensors.write(out, model.tensors(), model.metadata()));
        } else {
            Map<String, Object> entries = new LinkedHashMap<>(model.tensors());
            entries.put("metadata", new Gson().toJson(model.metadata()));
            AtomicFile.write(file, out -> Npz.write(out, entries));
        }
    }

    /** Reads {@code file}; warnings (non-finite weights) go to {@code warn}. */
    public static SavedModel read(Path file, Consumer<String> warn) {
        Format f = formatOf(file, "--model");
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new ModelFormatException("--model " + file + ": no such file");
        }
        String magic = magic(file);
        if (f == Format.SAFETENSORS && magic.equals("zip")) {
            throw new ModelFormatException(name + ": this is a zip archive (an .npz?), not safetensors: rename it to .npz");
        }
        if (f == Format.NPZ && !magic.equals("zip")) {
            throw new ModelFormatException(name + ": not an .npz (it does not start with a zip signature"
                    + (magic.equals("safetensors") ? "; it looks like safetensors: rename it to .safetensors)" : ")"));
        }
        if (f == Format.SAFETENSORS) {
            SafeTensors.Contents c = SafeTensors.read(file);
            return SavedModel.from(name, c.metadata, c.tensors, warn);
        }
        Map<String, Npy.Content> members = Npz.read(file);
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Npy.Content> e : members.entrySet()) {
            if (e.getKey().equals("metadata")) {
                metadata = metadataOf(name, e.getValue().text);
            } else if (e.getValue().array == null) {
                throw new ModelFormatException(name + ": member '" + Npz.printable(e.getKey()) + "' is a string, not an array");
            } else {
                tensors.put(e.getKey(), e.getValue().array);
            }
        }
        return SavedModel.from(name, metadata, tensors, warn);
    }

    private static Map<String, String> metadataOf(String file, String json) {
        if (json == null) {
            throw new ModelFormatException(file + ": metadata.npy is not a string (it holds the metadata as JSON)");
        }
        JsonElement e;
        try {
            e = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError ex) {
            throw new ModelFormatException(file + ": metadata.npy is not a JSON object");
        }
        if (!e.isJsonObject()) {
            throw new ModelFormatException(file + ": metadata.npy is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) {
            JsonElement v = kv.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new ModelFormatException(file + ": metadata '" + Npz.printable(kv.getKey())
                        + "' is not a string (the metadata maps strings to strings, as in safetensors)");
            }
            out.put(kv.getKey(), v.getAsString());
        }
        return out;
    }

    /** "zip", "safetensors" (a plausible header length and '{'), or "" for anything else. */
    static String magic(Path file) {
        byte[] b = new byte[9];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (n < b.length) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            throw new ModelFormatException(file + ": " + AtomicFile.describe(e));
        }
        if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5) && (b[3] == 4 || b[3] == 6)) {
            return "zip";
        }
        if (n == 9 && b[8] == '{') {
            return "safetensors";
        }
        return "";
    }
}
