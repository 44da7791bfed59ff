package dev.scratchnet.backend.tuning;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.io.AtomicFile;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tuned tile parameters on disk: one JSON file per backend, device and driver in
 * {@code $XDG_CACHE_HOME/scratchnet/tuning/} (else {@code ~/.cache/scratchnet/tuning/}; the system
 * property {@code scratchnet.tuning.cache} overrides both), holding one entry per version of the
 * kernel sources, newest first. Written whole or not at all ({@link AtomicFile}).
 *
 * <p>Reading never throws: a file that is not what {@link #store} writes (not UTF-8, not JSON,
 * wrong fields, a value outside a parameter's legal set, another device's) is reported in one line
 * and the defaults are used; so is a file whose entries were all made for other kernel sources.
 */
public final class TuningCache {
    static final String FORMAT = "scratchnet-tuning 1";
    /** A larger file is not one this program wrote. */
    static final long MAX_BYTES = 1 << 20;
    /** Entries kept per file (one per version of the kernel sources), newest first. */
    static final int MAX_ENTRIES = 8;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private TuningCache() {
    }

    /** The cache directory: the property {@code scratchnet.tuning.cache}, else $XDG_CACHE_HOME/scratchnet/tuning, else ~/.cache/scratchnet/tuning. */
    public static Path directory() {
        String property = System.getProperty("scratchnet.tuning.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("scratchnet").resolve("tuning");
    }

    /** One measured size: the best configuration found, and the defaults and the vendor library beside it. */
    public static final class Measured {
        public final Precision precision;
        public final String variant;
        public final int size;
        public final TileParams params;
        public final double gflops;
        public final double defaultGflops;
        /** NaN when the vendor library did not run. */
        public final double vendorGflops;

        public Measured(Precision precision, String variant, int size, TileParams params, double gflops, double defaultGflops,
                        double vendorGflops) {
            this.precision = precision;
            this.variant = variant;
            this.size = size;
            this.params = params;
            this.gflops = gflops;
            this.defaultGflops = defaultGflops;
            this.vendorGflops = vendorGflops;
        }
    }

    /** What {@link #load} found for a device. */
    public static final class Loaded {
        /** Per precision, per variant: the tuned parameters (empty where none apply). */
        public final Map<Precision, Map<String, TileParams>> params;
        public final Path file;
        /** When the entry in use was tuned (ISO-8601), or null. */
        public final String tuned;
        /** One line about an entry that was ignored (stale or unreadable), or null. */
        public final String note;
        private final String why;

        Loaded(Map<Precision, Map<String, TileParams>> params, Path file, String tuned, String note, String why) {
            this.params = params;
            this.file = file;
            this.tuned = tuned;
            this.note = note;
            this.why = why;
        }

        /** No tuning, for the reason given (e.g. "--no-tuning"). */
        public static Loaded none(String why) {
            return new Loaded(Map.of(), null, null, null, why);
        }

        /** The parameters tuned for {@code variant} in {@code p}, or null. */
        public TileParams get(Precision p, String variant) {
            Map<String, TileParams> m = params.get(p);
            return m == null ? null : m.get(variant);
        }

        /** Where the parameters of precision {@code p} come from, in words. */
        public String origin(Precision p) {
            if (params.containsKey(p)) {
                return "tuned " + tuned + " (" + file + ")";
            }
            if (why != null) {
                return "defaults (" + why + ")";
            }
            return "defaults (" + file + " has no " + p + " tuning)";
        }
    }

    /** The lines that say, per precision, which parameters {@code loaded} gives each space's variant (else its defaults), and whence. */
    public static List<String> describe(Loaded loaded, List<TuningSpace> spaces, List<Precision> precisions) {
        List<String> lines = new ArrayList<>();
        if (loaded.note != null) {
            lines.add(loaded.note);
        }
        for (Precision p : precisions) {
            StringBuilder sb = new StringBuilder("matmul parameters (" + p + "): ");
            for (int i = 0; i < spaces.size(); i++) {
                TileParams t = loaded.get(p, spaces.get(i).variant);
                sb.append(i == 0 ? "" : "; ").append(spaces.get(i).variant).append(' ').append(t != null ? t : spaces.get(i).defaults());
            }
            lines.add(sb.append(" — ").append(loaded.origin(p)).toString());
        }
        return lines;
    }

    /**
     * The tuned parameters for {@code key} in {@code dir}: those of the entry made with the same
     * kernel sources. Never throws; what it ignored is in {@link Loaded#note}.
     */
    public static Loaded load(Path dir, TuningKey key, Function<String, TuningSpace> spaces) {
        Path file = dir.resolve(key.fileName());
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return unreadable(file, key, "larger than " + (MAX_BYTES >> 10) + " KiB");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            return Loaded.none("not tuned on this device: run 'scratchnet kernels tune --backend " + key.backend + "'");
        } catch (CharacterCodingException e) {
            return unreadable(file, key, "not UTF-8 text");
        } catch (IOException | RuntimeException e) {
            return unreadable(file, key, e.getMessage());
        }
        List<Entry> entries;
        try {
            entries = parse(text, key, spaces);
        } catch (IllegalArgumentException e) {
            return unreadable(file, key, e.getMessage());
        }
        for (Entry e : entries) {
            if (e.sources.equals(key.sources)) {
                return new Loaded(e.params, file, e.tuned, null, null);
            }
        }
        String why = "the tuning in " + file + " was made for other kernel sources";
        return new Loaded(Map.of(), file, null, "note: " + why + " (they have changed since); using the default matmul parameters"
                + " until 'scratchnet kernels tune --backend " + key.backend + "' runs again", why);
    }

    private static Loaded unreadable(Path file, TuningKey key, String reason) {
        String why = file + " is unreadable";
        return new Loaded(Map.of(), file, null, "note: ignoring the tuning cache " + file + ": " + oneLine(reason)
                + "; using the default matmul parameters ('scratchnet kernels tune --backend " + key.backend + "' rewrites it)", why);
    }

    private static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "unreadable";
        }
        String line = s.strip().split("\\R", 2)[0];
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** One entry of a cache file: the parameters tuned with one version of the kernel sources. */
    static final class Entry {
        final String sources;
        final String tuned;
        final Map<Precision, Map<String, TileParams>> params;
        final JsonArray results;

        Entry(String sources, String tuned, Map<Precision, Map<String, TileParams>> params, JsonArray results) {
            this.sources = sources;
            this.tuned = tuned;
            this.params = params;
            this.results = results;
        }
    }

    /** The entries of a cache file's text; throws IllegalArgumentException with the reason when it is not a valid one for {@code key}. */
    static List<Entry> parse(String text, TuningKey key, Function<String, TuningSpace> spaces) {
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            TypeAdapter<JsonElement> adapter = GSON.getAdapter(JsonElement.class);
            root = adapter.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("text after the JSON document");
            }
        } catch (IOException | RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException("not valid JSON: " + oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        JsonObject o = object(root, "the file");
        String format = string(o, "format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format is '" + format + "', expected '" + FORMAT + "'");
        }
        for (String[] f : new String[][] {{"backend", key.backend}, {"device", key.device}, {"driver", key.driver}}) {
            String v = string(o, f[0]);
            if (!v.equals(f[1])) {
                throw new IllegalArgumentException("it is for " + f[0] + " '" + v + "', not '" + f[1] + "'");
            }
        }
        JsonArray list = array(o, "entries");
        List<Entry> entries = new ArrayList<>();
        for (JsonElement el : list) {
            JsonObject e = object(el, "an entry");
            String sources = string(e, "sources");
            if (!sources.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("an entry's sources is not a SHA-256");
            }
            String tuned = string(e, "tuned");
            try {
                Instant.parse(tuned);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("an entry's date '" + tuned + "' is not an ISO-8601 instant");
            }
            JsonObject ps = object(e.get("params"), "an entry's params");
            Map<Precision, Map<String, TileParams>> params = new EnumMap<>(Precision.class);
            for (Map.Entry<String, JsonElement> pe : ps.entrySet()) {
                Precision p;
                try {
                    p = Precision.parse(pe.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("unknown precision '" + pe.getKey() + "'");
                }
                Map<String, TileParams> variants = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> ve : object(pe.getValue(), p + " params").entrySet()) {
                    TuningSpace space = spaces.apply(ve.getKey());
                    if (space == null) {
                        throw new IllegalArgumentException("no tunable variant '" + ve.getKey() + "' on " + key.backend);
                    }
                    Map<String, Integer> values = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonElement> v : object(ve.getValue(), ve.getKey() + " params").entrySet()) {
                        values.put(v.getKey(), integer(v.getValue(), ve.getKey() + " " + v.getKey()));
                    }
                    variants.put(ve.getKey(), space.parse(values));
                }
                params.put(p, variants);
            }
            JsonArray results = e.has("results") ? array(e, "results") : new JsonArray();
            entries.add(new Entry(sources, tuned, params, results));
        }
        return entries;
    }

    private static JsonObject object(JsonElement e, String what) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("'" + field + "' is missing or not a list");
        }
        return e.getAsJsonArray();
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("'" + field + "' is missing or not a string");
        }
        return e.getAsString();
    }

    private static int integer(JsonElement e, String what) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(what + " is not a number");
        }
        try {
            return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new IllegalArgumentException(what + " is not a whole number in range");
        }
    }

    /**
     * Writes the parameters tuned for {@code key} into its file in {@code dir}, merged with what the
     * entry for the same sources already holds (other precisions and variants stay), newest entry
     * first, at most {@link #MAX_ENTRIES}. An unreadable old file is replaced. Returns the file.
     */
    public static Path store(Path dir, TuningKey key, Function<String, TuningSpace> spaces,
                             Map<Precision, Map<String, TileParams>> params, List<Measured> measured) {
        Path file = dir.resolve(key.fileName());
        List<Entry> old = List.of();
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= MAX_BYTES) {
                old = parse(Files.readString(file, StandardCharsets.UTF_8), key, spaces);
            }
        } catch (IOException | RuntimeException e) {
            old = List.of();   // unreadable: replaced
        }
        Map<Precision, Map<String, TileParams>> merged = new EnumMap<>(Precision.class);
        JsonArray results = new JsonArray();
        for (Entry e : old) {
            if (e.sources.equals(key.sources)) {
                e.params.forEach((p, m) -> merged.put(p, new LinkedHashMap<>(m)));
                for (JsonElement r : e.results) {
                    if (!replacedBy(r, measured)) {
                        results.add(r);
                    }
                }
            }
        }
        params.forEach((p, m) -> merged.computeIfAbsent(p, x -> new LinkedHashMap<>()).putAll(m));
        for (Measured m : measured) {
            JsonObject r = new JsonObject();
            r.addProperty("precision", m.precision.toString());
            r.addProperty("variant", m.variant);
            r.addProperty("size", m.size);
            r.add("params", toJson(m.params));
            r.addProperty("gflops", round(m.gflops));
            r.addProperty("defaultGflops", round(m.defaultGflops));
            if (!Double.isNaN(m.vendorGflops)) {
                r.addProperty("vendorGflops", round(m.vendorGflops));
            }
            results.add(r);
        }
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("backend", key.backend);
        root.addProperty("device", key.device);
        root.addProperty("driver", key.driver);
        JsonArray entries = new JsonArray();
        entries.add(entryJson(key.sources, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), merged, results));
        for (Entry e : old) {
            if (!e.sources.equals(key.sources) && entries.size() < MAX_ENTRIES) {
                entries.add(entryJson(e.sources, e.tuned, e.params, e.results));
            }
        }
        root.add("entries", entries);
        AtomicFile.writeString(file, GSON.toJson(root) + "\n");
        return file;
    }

    private static boolean replacedBy(JsonElement r, List<Measured> measured) {
        if (!r.isJsonObject()) {
            return true;
        }
        try {
            JsonObject o = r.getAsJsonObject();
            for (Measured m : measured) {
                if (m.precision.toString().equals(o.get("precision").getAsString()) && m.variant.equals(o.get("variant").getAsString())
                        && o.get("size").getAsInt() == m.size) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true;   // not a result this program wrote: dropped
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static JsonObject entryJson(String sources, String tuned, Map<Precision, Map<String, TileParams>> params, JsonArray results) {
        JsonObject e = new JsonObject();
        e.addProperty("sources", sources);
        e.addProperty("tuned", tuned);
        JsonObject ps = new JsonObject();
        for (Map.Entry<Precision, Map<String, TileParams>> pe : params.entrySet()) {
            JsonObject vs = new JsonObject();
            pe.getValue().forEach((v, tp) -> vs.add(v, toJson(tp)));
            ps.add(pe.getKey().toString(), vs);
        }
        e.add("params", ps);
        e.add("results", results);
        return e;
    }

    private static JsonObject toJson(TileParams p) {
        JsonObject o = new JsonObject();
        p.asMap().forEach((k, v) -> o.add(k, new JsonPrimitive(v)));
        return o;
    }
}
