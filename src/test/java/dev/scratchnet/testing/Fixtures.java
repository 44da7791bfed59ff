package dev.scratchnet.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Matrix;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reads the JSON fixtures made by the Python scripts in src/test/resources/fixtures. */
public final class Fixtures {
    private static final Map<String, JsonObject> CACHE = new HashMap<>();

    private Fixtures() {
    }

    public static synchronized JsonObject load(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + n)) {
                if (in == null) {
                    throw new IllegalStateException("fixture " + n + " missing: run the script beside it in src/test/resources/fixtures");
                }
                return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static double[] doubles(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    public static int[] ints(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    public static Matrix matrix(JsonElement e) {
        JsonArray rows = e.getAsJsonArray();
        double[][] data = new double[rows.size()][];
        for (int i = 0; i < data.length; i++) {
            data[i] = doubles(rows.get(i));
        }
        return Matrix.of(data);
    }
}
