package dev.scratchnet.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A trained network as a file holds it: the architecture, the loss, the precision, the input
 * normalisation, the class names, where it came from, and every layer's parameters in the
 * notebooks' naming and layout: {@code W1} (inputs × outputs) and {@code b1} (1 × outputs), ...,
 * so that {@code act(x @ W1 + b1)} is the first layer. docs/FORMATS.md is the reference.
 */
public final class SavedModel {
    /** The value of the {@code format} metadata field. */
    public static final String FORMAT = "scratchnet-mlp";
    public static final String FORMAT_VERSION = "1";

    public final int[] layerSizes;
    public final List<Activation> activations;
    public final Loss loss;
    public final Precision precision;
    /** Per input feature: the network sees (x − mean) / scale. */
    public final double[] inputMean;
    public final double[] inputScale;
    public final String[] classNames;
    /** Where it came from: data, seed, optimizer, ... (string to string, kept as read). */
    public final Map<String, String> info;
    public final List<Matrix> weights;
    public final List<Matrix> biases;

    public SavedModel(int[] layerSizes, List<Activation> activations, Loss loss, Precision precision, double[] inputMean,
                      double[] inputScale, String[] classNames, Map<String, String> info, List<Matrix> weights, List<Matrix> biases) {
        this.layerSizes = layerSizes.clone();
        this.activations = List.copyOf(activations);
        this.loss = loss;
        this.precision = precision;
        this.inputMean = inputMean.clone();
        this.inputScale = inputScale.clone();
        this.classNames = classNames.clone();
        this.info = new LinkedHashMap<>(info);
        this.weights = List.copyOf(weights);
        this.biases = List.copyOf(biases);
    }

    /** The network's parameters read back, with what it takes to use it. */
    public static SavedModel of(Network net, Loss loss, double[] inputMean, double[] inputScale, String[] classNames,
                                Map<String, String> info) {
        int inputs = net.inputs();
        return new SavedModel(net.layerSizes(), net.activations(), loss, net.precision(),
                inputMean == null ? new double[inputs] : inputMean, inputScale == null ? ones(inputs) : inputScale,
                classNames == null ? defaultNames(net.outputs()) : classNames, info, net.weights(), net.biases());
    }

    public int inputs() {
        return layerSizes[0];
    }

    public int outputs() {
        return layerSizes[layerSizes.length - 1];
    }

    /** "784 → 256 (relu) → 10 (softmax)". */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(layerSizes[0]);
        for (int l = 0; l < activations.size(); l++) {
            sb.append(" → ").append(layerSizes[l + 1]).append(" (").append(activations.get(l)).append(')');
        }
        return sb.toString();
    }

    /** The network on {@code backend} in {@code p} (the file's precision unless asked otherwise). */
    public Network build(Backend backend, Precision p) {
        Network.Builder b = Network.builder(backend, p, inputs());
        for (int l = 0; l < activations.size(); l++) {
            b.dense(layerSizes[l + 1], activations.get(l));
        }
        return b.build(weights, biases);
    }

    /** The rows as the network sees them: (x − mean) / scale per column. */
    public Matrix normalise(Matrix x) {
        if (x.cols() != inputs()) {
            throw new IllegalArgumentException("the data have " + x.cols() + " features, the model expects " + inputs());
        }
        Matrix out = new Matrix(x.rows(), x.cols());
        double[] s = x.data(), d = out.data();
        int cols = x.cols();
        for (int i = 0; i < s.length; i++) {
            int j = i % cols;
            d[i] = (s[i] - inputMean[j]) / inputScale[j];
        }
        return out;
    }

    /** Whether the normalisation does nothing. */
    public boolean isIdentityNormalisation() {
        for (int j = 0; j < inputs(); j++) {
            if (inputMean[j] != 0 || inputScale[j] != 1) {
                return false;
            }
        }
        return true;
    }

    /** The metadata every file carries (safetensors {@code __metadata__}; the .npz's {@code metadata} JSON). */
    public Map<String, String> metadata() {
        Gson gson = new Gson();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("scratchnet_version", version());
        m.put("layer_sizes", gson.toJson(layerSizes));
        List<String> acts = new ArrayList<>();
        activations.forEach(a -> acts.add(a.toString()));
        m.put("activations", gson.toJson(acts));
        m.put("output", activations.get(activations.size() - 1).kind().label());
        m.put("loss", loss.kind().label());
        m.put("loss_epsilon", Double.toString(loss.epsilon()));
        m.put("precision", precision.toString());
        m.put("layout", "W<l>: inputs x outputs, b<l>: 1 x outputs, row-major; layer l computes act(x @ W<l> + b<l>)");
        m.put("input_mean", gson.toJson(inputMean));
        m.put("input_scale", gson.toJson(inputScale));
        m.put("class_names", gson.toJson(classNames));
        info.forEach(m::putIfAbsent);
        return m;
    }

    /** The tensors, in the precision of the model: W1, b1, W2, b2, ... */
    public Map<String, NdArray> tensors() {
        NdArray.DType dt = precision == Precision.FP32 ? NdArray.DType.F32 : NdArray.DType.F64;
        Map<String, NdArray> t = new LinkedHashMap<>();
        for (int l = 0; l < weights.size(); l++) {
            t.put("W" + (l + 1), NdArray.of(weights.get(l), dt));
            t.put("b" + (l + 1), NdArray.of(biases.get(l), dt));
        }
        return t;
    }

    /** The fields {@link #metadata()} writes itself; the rest is {@link #info}. */
    static final List<String> OWN_FIELDS = List.of("format", "format_version", "scratchnet_version", "layer_sizes",
            "activations", "output", "loss", "loss_epsilon", "precision", "layout", "input_mean", "input_scale", "class_names");

    /**
     * The model a file's metadata and tensors describe, checked: names, shapes, dtypes and the
     * metadata's own consistency. Tensors named {@code optimizer.*}, {@code best.*} and
     * {@code shuffle.*} (a checkpoint's) are passed over. Non-finite weights go to {@code warn}.
     */
    static SavedModel from(String file, Map<String, String> md, Map<String, NdArray> tensors, Consumer<String> warn) {
        String format = md.get("format");
        if (format != null && !format.equals(FORMAT)) {
            throw new ModelFormatException(file + ": format '" + Npz.printable(format) + "' is not " + FORMAT);
        }
        String version = md.get("format_version");
        if (version != null && !version.equals(FORMAT_VERSION)) {
            throw new ModelFormatException(file + ": format_version " + Npz.printable(version)
                    + " is newer than this scratchnet reads (" + FORMAT_VERSION + ")");
        }
        String actsText = md.get("activations");
        if (actsText == null) {
            throw new ModelFormatException(file + ": the metadata has no 'activations' (a JSON list such as [\"relu\", \"softmax\"])");
        }
        List<Activation> acts = new ArrayList<>();
        for (String a : strings(file, "activations", actsText)) {
            try {
                acts.add(Activation.parse(a));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file + ": activations: " + e.getMessage());
            }
        }
        int layers = acts.size();
        if (layers == 0) {
            throw new ModelFormatException(file + ": activations is empty: a network needs at least one layer");
        }
        for (String name : tensors.keySet()) {
            if (name.startsWith("optimizer.") || name.startsWith("best.") || name.startsWith("shuffle.")) {
                continue;
            }
            boolean known = false;
            for (int l = 1; l <= layers; l++) {
                known |= name.equals("W" + l) || name.equals("b" + l);
            }
            if (!known) {
                throw new ModelFormatException(file + ": unexpected tensor '" + Npz.printable(name) + "' (a " + layers
                        + "-layer model holds W1.." + "W" + layers + " and b1..b" + layers + ")");
            }
        }
        NdArray.DType dtype = null;
        List<Matrix> weights = new ArrayList<>(), biases = new ArrayList<>();
        int[] sizes = new int[layers + 1];
        for (int l = 1; l <= layers; l++) {
            NdArray w = tensors.get("W" + l), b = tensors.get("b" + l);
            if (w == null || b == null) {
                throw new ModelFormatException(file + ": tensor '" + (w == null ? "W" : "b") + l + "' is missing ("
                        + layers + " activations name " + layers + " layers)");
            }
            for (NdArray t : new NdArray[] {w, b}) {
                String n = t == w ? "W" + l : "b" + l;
                if (!t.dtype().isFloat()) {
                    throw new ModelFormatException(file + ": " + n + " has dtype " + t.dtype().safetensors + ": weights are F32 or F64");
                }
                if (dtype != null && t.dtype() != dtype) {
                    throw new ModelFormatException(file + ": " + n + " is " + t.dtype().safetensors + ", W1 is " + dtype.safetensors
                            + ": every tensor of a model has one dtype");
                }
                dtype = t.dtype();
            }
            long[] ws = w.shape(), bs = b.shape();
            if (ws.length != 2 || ws[0] < 1 || ws[1] < 1 || ws[0] > Integer.MAX_VALUE || ws[1] > Integer.MAX_VALUE) {
                throw new ModelFormatException(file + ": W" + l + " has shape " + w.shapeText() + ": expected [inputs, outputs]");
            }
            int in = (int) ws[0], out = (int) ws[1];
            if (l > 1 && in != sizes[l - 1]) {
                throw new ModelFormatException(file + ": W" + l + " has shape " + w.shapeText() + " but W" + (l - 1) + " has "
                        + sizes[l - 1] + " outputs: the layers do not chain");
            }
            boolean biasFits = (bs.length == 2 && bs[0] == 1 && bs[1] == out) || (bs.length == 1 && bs[0] == out);
            if (!biasFits) {
                throw new ModelFormatException(file + ": b" + l + " has shape " + b.shapeText() + ", expected [1, " + out + "] to fit W" + l
                        + " " + w.shapeText());
            }
            sizes[l - 1] = in;
            sizes[l] = out;
            Matrix wm = w.toMatrix("W" + l), bm = new Matrix(1, out, b.floats().clone());
            nonFinite(file, "W" + l, wm, warn);
            nonFinite(file, "b" + l, bm, warn);
            weights.add(wm);
            biases.add(bm);
        }
        String sizesText = md.get("layer_sizes");
        if (sizesText != null) {
            long[] declared = numbers(file, "layer_sizes", sizesText, -1);
            if (declared.length != layers + 1) {
                throw new ModelFormatException(file + ": layer_sizes " + Npz.printable(sizesText) + " has " + declared.length
                        + " entries; " + layers + " activations need " + (layers + 1));
            }
            for (int l = 0; l <= layers; l++) {
                if (declared[l] != sizes[l]) {
                    String t = l == 0 ? "W1" : "W" + l;
                    throw new ModelFormatException(file + ": " + t + " has shape " + tensors.get(t).shapeText()
                            + ", which does not fit layer_sizes " + Npz.printable(sizesText));
                }
            }
        }
        Precision precision = dtype == NdArray.DType.F32 ? Precision.FP32 : Precision.FP64;
        String p = md.get("precision");
        if (p != null) {
            Precision declared;
            try {
                declared = Precision.parse(p);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file + ": precision: " + e.getMessage());
            }
            if (declared != precision) {
                throw new ModelFormatException(file + ": precision " + declared + " but the tensors are " + dtype.safetensors);
            }
        }
        for (int l = 0; l < layers - 1; l++) {
            if (!acts.get(l).kind().elementwise()) {
                throw new ModelFormatException(file + ": layer " + (l + 1) + " is " + acts.get(l) + ": softmax belongs on the output layer only");
            }
        }
        Activation output = acts.get(layers - 1);
        String declaredOutput = md.get("output");
        if (declaredOutput != null && !declaredOutput.equals(output.kind().label())) {
            throw new ModelFormatException(file + ": output '" + Npz.printable(declaredOutput) + "' but the last activation is "
                    + output.kind().label());
        }
        Loss loss = loss(file, md, output, sizes[layers]);
        int inputs = sizes[0];
        double[] mean = md.containsKey("input_mean") ? doubles(file, "input_mean", md.get("input_mean"), inputs) : new double[inputs];
        double[] scale = md.containsKey("input_scale") ? doubles(file, "input_scale", md.get("input_scale"), inputs) : ones(inputs);
        for (int j = 0; j < inputs; j++) {
            if (!Double.isFinite(mean[j]) || !Double.isFinite(scale[j]) || scale[j] == 0) {
                throw new ModelFormatException(file + ": input normalisation of feature " + j + " is mean " + mean[j] + ", scale "
                        + scale[j] + ": expected finite numbers and a scale other than 0");
            }
        }
        int classes = sizes[layers] == 1 ? 2 : sizes[layers];
        String[] names;
        if (md.containsKey("class_names")) {
            names = strings(file, "class_names", md.get("class_names")).toArray(new String[0]);
            if (names.length != classes) {
                throw new ModelFormatException(file + ": class_names has " + names.length + " names for " + classes + " classes");
            }
        } else {
            names = defaultNames(sizes[layers]);
        }
        Map<String, String> info = new LinkedHashMap<>();
        md.forEach((k, v) -> {
            if (!OWN_FIELDS.contains(k)) {
                info.put(k, v);
            }
        });
        info.put("scratchnet_version_written", md.getOrDefault("scratchnet_version", "unknown"));
        return new SavedModel(sizes, acts, loss, precision, mean, scale, names, info, weights, biases);
    }

    private static Loss loss(String file, Map<String, String> md, Activation output, int outputs) {
        String label = md.get("loss");
        LossKind kind;
        try {
            if (label != null) {
                kind = LossKind.parse(label);
            } else if (output.kind() == ActivationKind.SOFTMAX) {
                kind = LossKind.SOFTMAX_CROSS_ENTROPY;
            } else if (output.kind() == ActivationKind.SIGMOID && outputs == 1) {
                kind = LossKind.SIGMOID_BINARY_CROSS_ENTROPY;
            } else {
                kind = LossKind.MEAN_SQUARED_ERROR;
            }
            String eps = md.get("loss_epsilon");
            Loss loss = eps == null ? Loss.of(kind) : Loss.of(kind, Double.parseDouble(eps));
            ActivationKind needed = kind.requiredActivation();
            if (needed != null && needed != output.kind()) {
                throw new ModelFormatException(file + ": loss " + kind.label() + " needs a " + needed.label() + " output, the model's is "
                        + output.kind().label());
            }
            return loss;
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file + ": loss_epsilon '" + Npz.printable(md.get("loss_epsilon")) + "' is not a number");
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage());
        }
    }

    private static void nonFinite(String file, String name, Matrix m, Consumer<String> warn) {
        int count = 0, first = -1;
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                if (first < 0) {
                    first = i;
                }
                count++;
            }
        }
        if (count > 0 && warn != null) {
            warn.accept("warning: " + file + ": " + name + " holds " + count + " non-finite value" + (count == 1 ? "" : "s")
                    + " (the first, " + d[first] + ", at row " + first / m.cols() + ", column " + first % m.cols()
                    + "): its predictions will not be numbers");
        }
    }

    private static JsonArray array(String file, String field, String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e.isJsonArray()) {
                return e.getAsJsonArray();
            }
        } catch (JsonParseException | StackOverflowError e) {
            // reported below
        }
        throw new ModelFormatException(file + ": " + field + " is not a JSON list: '" + Npz.printable(abbreviate(text)) + "'");
    }

    private static List<String> strings(String file, String field, String text) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(file, field, text)) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ModelFormatException(file + ": " + field + " holds " + Npz.printable(abbreviate(e.toString())) + ", not a string");
            }
            out.add(e.getAsString());
        }
        return out;
    }

    private static long[] numbers(String file, String field, String text, int length) {
        JsonArray a = array(file, field, text);
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            String s = a.get(i).isJsonPrimitive() && a.get(i).getAsJsonPrimitive().isNumber() ? a.get(i).getAsString() : "";
            if (!s.matches("[0-9]{1,9}")) {
                throw new ModelFormatException(file + ": " + field + " holds " + Npz.printable(abbreviate(a.get(i).toString()))
                        + ", not a whole number");
            }
            out[i] = Long.parseLong(s);
        }
        return out;
    }

    private static double[] doubles(String file, String field, String text, int length) {
        JsonArray a = array(file, field, text);
        if (a.size() != length) {
            throw new ModelFormatException(file + ": " + field + " has " + a.size() + " values for " + length + " inputs");
        }
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new ModelFormatException(file + ": " + field + " holds " + Npz.printable(abbreviate(e.toString())) + ", not a number");
            }
            out[i] = Double.parseDouble(e.getAsString());
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    static double[] ones(int n) {
        double[] d = new double[n];
        Arrays.fill(d, 1.0);
        return d;
    }

    static String[] defaultNames(int outputs) {
        String[] n = new String[outputs == 1 ? 2 : outputs];
        for (int c = 0; c < n.length; c++) {
            n[c] = Integer.toString(c);
        }
        return n;
    }

    /** scratchnet's version as the jar's manifest gives it. */
    public static String version() {
        String v = SavedModel.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
