package dev.scratchnet.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.TrainingState;
import dev.scratchnet.random.NumpyRandom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints: one safetensors file per checkpoint, {@code DIR/checkpoint-EEEEEE-BBBBBB.safetensors}
 * (epochs done, and batches done of the next epoch when a stop came between batches), written
 * atomically, so a checkpoint is whole or absent. It holds the model (tensors W1, b1, ... and the
 * model metadata, so {@code predict --model} reads it too), the optimizer's state
 * ({@code optimizer.W1.0}, ...), the early-stopping weights ({@code best.W1}, ...), the shuffle
 * stream's MT19937 words ({@code shuffle.mt}, I32), and in the metadata the position, step count,
 * partial sums, history and the training options. docs/FORMATS.md lists every field.
 */
public final class Checkpoint {
    static final Pattern NAME = Pattern.compile("checkpoint-(\\d{6,})-(\\d{6,})\\.safetensors");
    static final String FORMAT_VERSION = "1";

    /** A checkpoint as read: the state to continue from, the model it holds, and the options it was trained with. */
    public static final class Loaded {
        public final Path file;
        public final TrainingState state;
        public final SavedModel model;
        public final JsonObject options;

        Loaded(Path file, TrainingState state, SavedModel model, JsonObject options) {
            this.file = file;
            this.state = state;
            this.model = model;
            this.options = options;
        }
    }

    private Checkpoint() {
    }

    /** The file a state is written to in {@code dir}. */
    public static Path fileFor(Path dir, TrainingState s) {
        return dir.resolve(String.format("checkpoint-%06d-%06d.safetensors", s.epoch, s.batch));
    }

    /**
     * Writes {@code state} to {@code dir} (atomically) and deletes all but the newest {@code keep}
     * checkpoints there. {@code model} gives the model metadata (its parameters are the state's);
     * {@code options} the training options a resumed run takes. Returns the file written.
     */
    public static Path write(Path dir, TrainingState state, SavedModel model, JsonObject options, int keep) {
        SavedModel current = new SavedModel(model.layerSizes, model.activations, model.loss, model.precision, model.inputMean,
                model.inputScale, model.classNames, model.info, state.weights, state.biases);
        NdArray.DType dt = model.precision == Precision.FP32 ? NdArray.DType.F32 : NdArray.DType.F64;
        Map<String, NdArray> tensors = new LinkedHashMap<>(current.tensors());
        state.optimizerState.forEach((k, m) -> tensors.put("optimizer." + k, NdArray.of(m, dt)));
        if (state.bestWeights != null) {
            for (int l = 0; l < state.bestWeights.size(); l++) {
                tensors.put("best.W" + (l + 1), NdArray.of(state.bestWeights.get(l), dt));
                tensors.put("best.b" + (l + 1), NdArray.of(state.bestBiases.get(l), dt));
            }
        }
        Map<String, String> md = new LinkedHashMap<>(current.metadata());
        md.put("checkpoint_format", FORMAT_VERSION);
        md.put("epoch", Integer.toString(state.epoch));
        md.put("batch", Integer.toString(state.batch));
        md.put("optimizer_steps", Integer.toString(state.optimizerSteps));
        if (state.shuffle != null) {
            long[] words = new long[state.shuffle.mt.length];
            for (int i = 0; i < words.length; i++) {
                words[i] = state.shuffle.mt[i];
            }
            tensors.put("shuffle.mt", NdArray.ofInts(NdArray.DType.I32, new long[] {words.length}, words));
            md.put("shuffle_has_gauss", Boolean.toString(state.shuffle.hasGauss));
            md.put("shuffle_gauss", Double.toString(state.shuffle.gauss));
        }
        Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
        md.put("accumulators", gson.toJson(state.accumulators));
        md.put("history", gson.toJson(historyJson(state.history)));
        md.put("best_validation_loss", Double.toString(state.bestValidationLoss));
        md.put("epochs_without_improvement", Integer.toString(state.epochsWithoutImprovement));
        md.put("options", gson.toJson(options));
        Path file = fileFor(dir, state);
        AtomicFile.write(file, out -> SafeTensors.write(out, tensors, md));
        prune(dir, keep, file);
        return file;
    }

    /** Deletes all but the newest {@code keep} checkpoints in {@code dir} (never {@code justWritten}). */
    static void prune(Path dir, int keep, Path justWritten) {
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            Path p = all.get(i);
            if (!p.equals(justWritten)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(new IOException("cannot delete the old checkpoint " + p + ": "
                            + AtomicFile.describe(e), e));
                }
            }
        }
    }

    /** The checkpoints in {@code dir}, oldest first. */
    public static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        } catch (IOException e) {
            throw new ModelFormatException("--resume " + dir + ": " + AtomicFile.describe(e));
        }
        out.sort((a, b) -> order(a).compareTo(order(b)));
        return out;
    }

    private static String order(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        m.matches();
        return String.format("%020d-%020d", Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /** The newest checkpoint in {@code dir} (a directory), or {@code dir} itself when it names a checkpoint file. */
    public static Loaded readLatest(Path dir, java.util.function.Consumer<String> warn) {
        if (Files.isRegularFile(dir)) {
            return read(dir, warn);
        }
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException("--resume " + dir + ": no such directory");
        }
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            throw new ModelFormatException("--resume " + dir + ": no checkpoint-*.safetensors there (train --checkpoint "
                    + dir + " writes them)");
        }
        return read(all.get(all.size() - 1), warn);
    }

    /** Reads and checks one checkpoint file. */
    public static Loaded read(Path file, java.util.function.Consumer<String> warn) {
        SafeTensors.Contents c = SafeTensors.read(file);
        String name = file.toString();
        Map<String, String> md = c.metadata;
        if (!FORMAT_VERSION.equals(md.get("checkpoint_format"))) {
            throw new ModelFormatException(name + ": not a scratchnet checkpoint (no checkpoint_format " + FORMAT_VERSION
                    + " in its metadata)");
        }
        SavedModel model = SavedModel.from(name, md, c.tensors, warn);
        int layers = model.weights.size();
        int epoch = integer(name, md, "epoch");
        int batch = integer(name, md, "batch");
        int steps = integer(name, md, "optimizer_steps");
        Map<String, Matrix> optimizer = new LinkedHashMap<>();
        List<Matrix> bestW = new ArrayList<>(), bestB = new ArrayList<>();
        NumpyRandom.State shuffle = null;
        for (Map.Entry<String, NdArray> e : c.tensors.entrySet()) {
            String k = e.getKey();
            NdArray a = e.getValue();
            if (k.startsWith("optimizer.")) {
                requireDtype(name, k, a, model);
                optimizer.put(k.substring("optimizer.".length()), a.rank() == 1 ? new Matrix(1, (int) a.shape()[0], a.floats().clone())
                        : a.toMatrix(k));
            } else if (k.equals("shuffle.mt")) {
                if (a.dtype() != NdArray.DType.I32 || a.rank() != 1 || a.shape()[0] != 625) {
                    throw new ModelFormatException(name + ": shuffle.mt is " + a.dtype().safetensors + " " + a.shapeText()
                            + ", expected I32 [625] (MT19937's 624 words and its position)");
                }
                int[] words = new int[625];
                for (int i = 0; i < 625; i++) {
                    words[i] = (int) a.ints()[i];
                }
                if (words[624] < 0 || words[624] > 624) {
                    throw new ModelFormatException(name + ": shuffle.mt's position " + words[624] + " is outside 0..624");
                }
                shuffle = new NumpyRandom.State(words, Boolean.parseBoolean(md.get("shuffle_has_gauss")),
                        number(name, md, "shuffle_gauss"));
            } else if (k.startsWith("best.")) {
                requireDtype(name, k, a, model);
            } else if (k.startsWith("shuffle.")) {
                throw new ModelFormatException(name + ": unexpected tensor '" + Npz.printable(k) + "'");
            }
        }
        for (int l = 1; l <= layers; l++) {
            NdArray w = c.tensors.get("best.W" + l), b = c.tensors.get("best.b" + l);
            if (w == null && b == null) {
                continue;
            }
            if (w == null || b == null || !java.util.Arrays.equals(w.shape(), c.tensors.get("W" + l).shape())
                    || b.size() != model.layerSizes[l]) {
                throw new ModelFormatException(name + ": best.W" + l + " and best.b" + l + " must both be there, shaped as W" + l
                        + " and b" + l);
            }
            bestW.add(w.toMatrix("best.W" + l));
            bestB.add(new Matrix(1, (int) b.size(), b.floats().clone()));
        }
        if (!bestW.isEmpty() && bestW.size() != layers) {
            throw new ModelFormatException(name + ": best weights for " + bestW.size() + " of " + layers + " layers");
        }
        JsonObject history = object(name, md, "history");
        double[] acc = new double[2];
        JsonArray accs = array(name, md.get("accumulators"), "accumulators");
        if (accs.size() != 2) {
            throw new ModelFormatException(name + ": accumulators has " + accs.size() + " values, expected 2");
        }
        acc[0] = accs.get(0).getAsDouble();
        acc[1] = accs.get(1).getAsDouble();
        History h;
        try {
            h = History.restore(doubles(history, "train_loss"), doubles(history, "train_accuracy"), doubles(history, "validation_loss"),
                    doubles(history, "validation_accuracy"), doubles(history, "test_loss"), doubles(history, "test_accuracy"),
                    doubles(history, "epoch_seconds"), doubles(history, "learning_rate"), history.get("train_seconds").getAsDouble(),
                    history.get("best_epoch").getAsInt(), history.get("stopped_early").getAsBoolean());
        } catch (RuntimeException e) {
            throw new ModelFormatException(name + ": the history in its metadata is not one scratchnet wrote (" + e.getMessage() + ")");
        }
        if (h.epochs() != epoch) {
            throw new ModelFormatException(name + ": its history has " + h.epochs() + " epochs, its position says " + epoch);
        }
        TrainingState state = new TrainingState(epoch, batch, shuffle, acc, h, model.weights, model.biases, steps, optimizer,
                number(name, md, "best_validation_loss"), integer(name, md, "epochs_without_improvement"),
                bestW.isEmpty() ? null : bestW, bestB.isEmpty() ? null : bestB);
        return new Loaded(file, state, model, object(name, md, "options"));
    }

    private static void requireDtype(String file, String k, NdArray a, SavedModel model) {
        NdArray.DType dt = model.precision == Precision.FP32 ? NdArray.DType.F32 : NdArray.DType.F64;
        if (a.dtype() != dt || a.rank() < 1 || a.rank() > 2) {
            throw new ModelFormatException(file + ": " + Npz.printable(k) + " is " + a.dtype().safetensors + " " + a.shapeText()
                    + ", expected a " + dt.safetensors + " matrix like the model's");
        }
    }

    static JsonObject historyJson(History h) {
        JsonObject o = new JsonObject();
        Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
        o.add("train_loss", gson.toJsonTree(h.trainLoss()));
        o.add("train_accuracy", gson.toJsonTree(h.trainAccuracy()));
        o.add("validation_loss", gson.toJsonTree(h.validationLoss()));
        o.add("validation_accuracy", gson.toJsonTree(h.validationAccuracy()));
        o.add("test_loss", gson.toJsonTree(h.testLoss()));
        o.add("test_accuracy", gson.toJsonTree(h.testAccuracy()));
        o.add("epoch_seconds", gson.toJsonTree(h.epochSeconds()));
        o.add("learning_rate", gson.toJsonTree(h.learningRate()));
        o.addProperty("train_seconds", h.trainSeconds());
        o.addProperty("best_epoch", h.bestEpoch());
        o.addProperty("stopped_early", h.stoppedEarly());
        return o;
    }

    private static List<Double> doubles(JsonObject o, String key) {
        List<Double> out = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray(key)) {
            out.add(e.getAsDouble());
        }
        return out;
    }

    private static int integer(String file, Map<String, String> md, String key) {
        String v = md.get(key);
        if (v == null || !v.matches("[0-9]{1,9}")) {
            throw new ModelFormatException(file + ": checkpoint field '" + key + "' is " + (v == null ? "missing" : "'"
                    + Npz.printable(v) + "'") + ", expected a whole number");
        }
        return Integer.parseInt(v);
    }

    private static double number(String file, Map<String, String> md, String key) {
        String v = md.get(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException | NullPointerException e) {
            throw new ModelFormatException(file + ": checkpoint field '" + key + "' is " + (v == null ? "missing" : "'"
                    + Npz.printable(v) + "'") + ", expected a number");
        }
    }

    private static JsonArray array(String file, String text, String key) {
        try {
            return JsonParser.parseString(text).getAsJsonArray();
        } catch (JsonParseException | IllegalStateException | NullPointerException | StackOverflowError e) {
            throw new ModelFormatException(file + ": checkpoint field '" + key + "' is not a JSON list");
        }
    }

    private static JsonObject object(String file, Map<String, String> md, String key) {
        try {
            return JsonParser.parseString(md.get(key)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException | NullPointerException | StackOverflowError e) {
            throw new ModelFormatException(file + ": checkpoint field '" + key + "' is not a JSON object");
        }
    }
}
