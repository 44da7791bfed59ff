package dev.scratchnet.cli;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The options of {@code train} as a checkpoint records them, and how {@code --resume} takes them
 * back: the settings that shape the result (data, architecture, optimizer, seed, ...) come from
 * the checkpoint, and giving one with another value is an error; {@code --epochs} and the outputs
 * (--save, --json, --plots, checkpoint cadence) come from the checkpoint unless given again.
 */
final class TrainOptions {
    private static final Gson GSON = new Gson();

    /** One option: its JSON key, its command-line name, whether it shapes the result, how to read and set it. */
    private static final class Field {
        final String key;
        final String option;
        final boolean setting;
        final Function<TrainCommand, Object> get;
        final BiConsumer<TrainCommand, JsonElement> set;

        Field(String key, String option, boolean setting, Function<TrainCommand, Object> get, BiConsumer<TrainCommand, JsonElement> set) {
            this.key = key;
            this.option = option;
            this.setting = setting;
            this.get = get;
            this.set = set;
        }
    }

    private static final List<Field> FIELDS = List.of(
            new Field("data", "--data", true, c -> c.data, (c, v) -> c.data = v.getAsString()),
            new Field("hidden", "--hidden", true, c -> c.hidden, (c, v) -> c.hidden = GSON.fromJson(v, int[].class)),
            new Field("activation", "--activation", true, c -> c.activation, (c, v) -> c.activation = v.getAsString()),
            new Field("optimizer", "--optimizer", true, c -> c.optimizer, (c, v) -> c.optimizer = v.getAsString()),
            new Field("lr", "--lr", true, c -> c.lr, (c, v) -> c.lr = v.getAsDouble()),
            new Field("schedule", "--schedule", true, c -> c.schedule, (c, v) -> c.schedule = v.getAsString()),
            new Field("weight_decay", "--weight-decay", true, c -> c.weightDecay, (c, v) -> c.weightDecay = v.getAsDouble()),
            new Field("batch", "--batch", true, c -> c.batch, (c, v) -> c.batch = v.getAsInt()),
            new Field("init", "--init", true, c -> c.init, (c, v) -> c.init = v.getAsString()),
            new Field("seed", "--seed", true, c -> c.seed, (c, v) -> c.seed = v.getAsLong()),
            new Field("classes", "--classes", true, c -> c.classes, (c, v) -> c.classes = v.isJsonNull() ? null : v.getAsInt()),
            new Field("test_fraction", "--test-fraction", true, c -> c.testFraction, (c, v) -> c.testFraction = v.getAsDouble()),
            new Field("validation_fraction", "--validation-fraction", true, c -> c.validationFraction,
                    (c, v) -> c.validationFraction = v.getAsDouble()),
            new Field("patience", "--patience", true, c -> c.patience, (c, v) -> c.patience = v.getAsInt()),
            new Field("precision", "--precision", true, c -> c.precision, (c, v) -> c.precision = v.getAsString()),
            new Field("epochs", "--epochs", false, c -> c.epochs, (c, v) -> c.epochs = v.getAsInt()),
            new Field("save", "--save", false, c -> strings(c.save), (c, v) -> c.save = paths(v)),
            new Field("json", "--json", false, c -> c.json == null ? null : c.json.toAbsolutePath().toString(),
                    (c, v) -> c.json = v.isJsonNull() ? null : Path.of(v.getAsString())),
            new Field("plots", "--plots", false, c -> c.plots == null ? null : c.plots.toAbsolutePath().toString(),
                    (c, v) -> c.plots = v.isJsonNull() ? null : Path.of(v.getAsString())),
            new Field("checkpoint_every", "--checkpoint-every", false, c -> c.checkpointEvery, (c, v) -> c.checkpointEvery = v.getAsInt()),
            new Field("keep", "--keep", false, c -> c.keep, (c, v) -> c.keep = v.getAsInt()));

    private TrainOptions() {
    }

    /** The command's options as JSON, with the data's fingerprint. */
    static JsonObject of(TrainCommand c, String fingerprint) {
        JsonObject o = new JsonObject();
        for (Field f : FIELDS) {
            o.add(f.key, GSON.toJsonTree(f.get.apply(c)));
        }
        o.addProperty("data_fingerprint", fingerprint);
        return o;
    }

    /** Takes a checkpoint's options into {@code c}; an explicitly given setting must match. */
    static void apply(TrainCommand c, JsonObject saved, CommandLine.ParseResult given) {
        for (Field f : FIELDS) {
            JsonElement v = saved.get(f.key);
            if (v == null) {
                continue;
            }
            if (given.hasMatchedOption(f.option)) {
                JsonElement mine = GSON.toJsonTree(f.get.apply(c));
                if (f.setting && !mine.equals(v)) {
                    throw new IllegalArgumentException(f.option + " " + text(mine) + " differs from the checkpoint's " + text(v)
                            + ": a resumed run keeps its settings (leave " + f.option + " out)");
                }
                continue;
            }
            try {
                f.set.accept(c, v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the checkpoint's option " + f.key + " is " + v + ": not one scratchnet wrote");
            }
        }
    }

    private static String text(JsonElement e) {
        return e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    private static List<String> strings(List<Path> paths) {
        List<String> out = new ArrayList<>();
        paths.forEach(p -> out.add(p.toAbsolutePath().toString()));
        return out;
    }

    private static List<Path> paths(JsonElement v) {
        List<Path> out = new ArrayList<>();
        v.getAsJsonArray().forEach(e -> out.add(Path.of(e.getAsString())));
        return out;
    }
}
