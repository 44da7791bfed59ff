package dev.scratchnet.workshop;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.GradientScaling;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.ClassificationReport;
import dev.scratchnet.report.ConfusionMatrixPlot;
import dev.scratchnet.report.DigitGrid;
import dev.scratchnet.report.PythonFormat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 003, the main job: a 64 → 16 → 8 → 1 all-sigmoid network on the 8×8 digits 0 and 1.
 * Stratified 80/20 split and StandardScaler; weights randn(out, in)·0.01, drawn twice as the
 * notebook draws them (Part 3 initialises once to show the shapes, {@code train_network} again);
 * binary cross-entropy on outputs clipped to [1e-7, 1−1e-7]; full batch, gradients averaged,
 * lr 0.5 for 1000 epochs, with the test set evaluated after every update. Then the confusion
 * matrix, the classification report, and ten test digits picked by {@code np.random.choice}.
 */
final class DigitsRecipe implements Recipe {
    static final Loss LOSS = Loss.sigmoidBinaryCrossEntropy(1e-7);
    static final String[] NAMES = {"Digit 0", "Digit 1"};

    @Override
    public String name() {
        return "digits";
    }

    @Override
    public String notebook() {
        return "003 (Week 8 Day 4, 64-16-8-1 on digits 0 vs 1)";
    }

    @Override
    public String summary() {
        return "64-16-8-1 sigmoid on the 8x8 digits 0 vs 1: history, confusion matrix, classification report";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.5);
        int epochs = ctx.settings.epochs(1000);
        int[] hidden = ctx.settings.hidden(16, 8);
        WorkshopData.Digits01 data = WorkshopData.digits();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        int[] sizes = {64, hidden[0], hidden[1], 1};
        // Part 3's initialize_parameters(): W1 (16, 64), W2 (8, 16), W3 (1, 8), drawn and shown, not trained
        RecipeSupport.drawAndDiscard(rng, new int[] {sizes[1], sizes[0]}, new int[] {sizes[2], sizes[1]}, new int[] {sizes[3], sizes[2]});
        ctx.out.println("Starting training...");
        ctx.out.println("   Learning rate: " + lr);
        ctx.out.println("   Epochs: " + epochs);
        ctx.out.println();
        ctx.out.println("=".repeat(60));
        try (Network net = Network.builder(ctx.backend, ctx.precision(), 64).dense(sizes[1], Activation.sigmoid())
                .dense(sizes[2], Activation.sigmoid()).dense(1, Activation.sigmoid())
                .build(Initializer.normalOutByIn(0.01), rng);
             Optimizer sgd = Optimizer.sgd(lr)) {
            History h = Trainer.builder().loss(LOSS).optimizer(sgd).epochs(epochs).gradientScaling(GradientScaling.MEAN)
                    .listener((epoch, loss, acc, testLoss, testAcc) -> {
                        if ((epoch + 1) % 100 == 0 || epoch == 0) {
                            ctx.out.println(String.format("Epoch %4d/%d | Train Loss: %s | Test Loss: %s | Train Acc: %s | Test Acc: %s",
                                    epoch + 1, epochs, PythonFormat.fixed(loss, 4), PythonFormat.fixed(testLoss, 4),
                                    PythonFormat.fixed(acc, 4), PythonFormat.fixed(testAcc, 4)));
                        }
                    })
                    .build().fit(net, data.train, data.test);
            ctx.out.println("=".repeat(60));
            ctx.out.println();
            ctx.out.println("Training complete!");
            RecipeSupport.save(ctx, this, net, LOSS, data.scaler, NAMES,
                    "workshop digits 0 vs 1 (stratified 80/20, random_state 42, StandardScaler)", null);

            Matrix probabilities = net.predict(data.test.features());
            int[] predictions = new int[data.test.size()];
            for (int i = 0; i < predictions.length; i++) {
                predictions[i] = probabilities.get(i, 0) > 0.5 ? 1 : 0;
            }
            ClassificationReport report = new ClassificationReport(data.test.labels(), predictions, NAMES);
            double finalLoss = h.testLoss().get(h.testLoss().size() - 1);
            ctx.out.println();
            ctx.out.println("Final Results on Test Set:");
            ctx.out.println("=".repeat(50));
            ctx.out.println("   Final Accuracy: " + PythonFormat.fixed(report.accuracy(), 4) + " ("
                    + RecipeSupport.PercentFormat.of(report.accuracy()) + ")");
            ctx.out.println("   Final Loss: " + PythonFormat.fixed(finalLoss, 4));
            ctx.out.println("=".repeat(50));
            ctx.out.println();
            ctx.out.println("Confusion Matrix:");
            ctx.out.println(PythonFormat.matrix(report.confusionMatrix()));
            ctx.out.println();
            ctx.out.println("Classification Report:");
            ctx.out.println(report.text());

            // "Visualize predictions": np.random.choice(len(X_test), 10, replace=False), after training
            int[] grid = rng.choiceWithoutReplacement(data.test.size(), 10);
            plots(ctx, h, report, data, probabilities, predictions, grid);

            Map<String, Object> json = ctx.json(this);
            json.put("lr", lr);
            json.put("epochs", epochs);
            json.put("hidden", hidden);
            json.put("train_loss", h.trainLoss());
            json.put("test_loss", h.testLoss());
            json.put("train_accuracy_curve", h.trainAccuracy());
            json.put("test_accuracy_curve", h.testAccuracy());
            json.put("final_train_loss", h.finalTrainLoss());
            json.put("final_test_loss", finalLoss);
            json.put("train_accuracy", h.trainAccuracy().get(h.epochs() - 1));
            json.put("test_accuracy", report.accuracy());
            json.put("predictions", predictions);
            json.put("probabilities", probabilities.data());
            json.put("confusion_matrix", report.confusionMatrix());
            json.put("classification_report", report.toMap());
            json.put("grid_indices", grid);
            json.put("train_seconds", h.trainSeconds());
            return json;
        }
    }

    private void plots(RecipeContext ctx, History h, ClassificationReport report, WorkshopData.Digits01 data,
                       Matrix probabilities, int[] predictions, int[] grid) {
        Map<String, List<Double>> losses = new LinkedHashMap<>();
        losses.put("Train Loss", h.trainLoss());
        losses.put("Test Loss", h.testLoss());
        RecipeSupport.curvesPlot(ctx, this, "loss", "Loss Curve", "Loss", losses, false);
        Map<String, List<Double>> accuracy = new LinkedHashMap<>();
        accuracy.put("Train Accuracy", h.trainAccuracy());
        accuracy.put("Test Accuracy", h.testAccuracy());
        RecipeSupport.curvesPlot(ctx, this, "accuracy", "Accuracy Curve", "Accuracy", accuracy, false);
        ctx.plot(this, "confusion-matrix", () -> ConfusionMatrixPlot.of("Confusion Matrix (test set)", report.confusionMatrix(), NAMES));
        ctx.plot(this, "predictions", () -> {
            Matrix pixels = data.scaler.inverseTransform(data.test.features().selectRows(grid));
            int[] truth = new int[grid.length], predicted = new int[grid.length];
            double[] prob = new double[grid.length];
            for (int k = 0; k < grid.length; k++) {
                truth[k] = data.test.labels()[grid[k]];
                predicted[k] = predictions[grid[k]];
                prob[k] = probabilities.get(grid[k], 0);
            }
            return DigitGrid.of("Sample Predictions on Test Set", pixels, truth, predicted, prob, 5);
        });
    }
}
