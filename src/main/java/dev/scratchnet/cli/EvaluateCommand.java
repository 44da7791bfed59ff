package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.report.ClassificationReport;
import dev.scratchnet.report.PythonFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code scratchnet evaluate}: a saved model's loss, accuracy, confusion matrix and per-class report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a saved model: loss, accuracy, confusion matrix and scikit-learn's classification report.",
                "The rows are those --data gives (default: the model's data set), split as the training run split them",
                "(--split, default test), normalised with the model's saved mean and scale."})
final class EvaluateCommand implements Runnable {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Mixin
    ModelInputOptions input;

    @Mixin
    BackendOptionsMixin backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json != null) {
            AtomicFile.checkWritable(json, "--json");
        }
        ModelInputOptions.Loaded in = input.load(err);
        SavedModel m = in.model;
        Dataset rows = in.rows;
        Precision p = in.precision;
        Backends.Selection s = backend.selectCheckingEditedKernels(out);
        Trainer.Metrics metrics;
        int[] predicted;
        try (Backend be = s.backend; Network net = m.build(be, p)) {
            metrics = Trainer.evaluate(net, rows, m.loss);
            predicted = net.predictLabels(rows.features());
        }
        ClassificationReport report = new ClassificationReport(rows.labels(), predicted, m.classNames);
        out.printf("model: %s, %s (%s)%n", input.model, m.describe(), p);
        out.printf("data: %s (%d rows)%n", rows.name(), rows.size());
        out.println("loss " + PythonFormat.fixed(metrics.loss, 4));
        out.println("accuracy " + PythonFormat.fixed(report.accuracy(), 4));
        out.println("confusion matrix (rows: true class, columns: predicted):");
        out.println(PythonFormat.matrix(report.confusionMatrix()));
        out.println();
        out.println("classification report:");
        out.print(report.text());
        if (json != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", input.model.toString());
            j.put("network", m.describe());
            j.put("precision", p.toString());
            j.put("data", rows.name());
            j.put("rows", rows.size());
            j.put("loss", metrics.loss);
            j.put("accuracy", report.accuracy());
            j.put("class_names", m.classNames);
            j.put("confusion_matrix", report.confusionMatrix());
            j.put("classification_report", report.toMap());
            WorkshopCommand.writeJson(json, j);
            out.println("wrote " + json);
        }
    }
}
