package dev.scratchnet.workshop;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Xor;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.GradientScaling;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.PythonFormat;

import java.util.Map;

/**
 * Seed 001: {@code NeuralNetwork([2, 4, 1], [ReLU(), Sigmoid()])} built from its {@code Layer} and
 * {@code Activation} classes. Weights randn·0.01; binary cross-entropy with log(a + 1e-15) whose
 * gradient with respect to the output, divided by the 4 rows, goes back through the sigmoid;
 * lr 0.1 for 10 000 epochs. As written it stops at 75%; with {@code --seed 0} it learns XOR.
 */
final class XorLayersRecipe implements Recipe {
    @Override
    public String name() {
        return "xor-layers";
    }

    @Override
    public String notebook() {
        return "001 (Layer and NeuralNetwork classes)";
    }

    @Override
    public String summary() {
        return "Layer/NeuralNetwork [2, 4, 1] ReLU/sigmoid on XOR, binary cross-entropy, lr 0.1, 10000 epochs";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.1);
        int epochs = ctx.settings.epochs(10000);
        int hidden = ctx.settings.hidden(4)[0];
        Dataset xor = Xor.dataset();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        try (Network net = Network.builder(ctx.backend, ctx.precision(), 2).dense(hidden, Activation.relu())
                .dense(1, Activation.sigmoid()).build(Initializer.normal(0.01), rng);
             Optimizer sgd = Optimizer.sgd(lr)) {
            History h = Trainer.builder().loss(Loss.binaryCrossEntropy(1e-15)).optimizer(sgd).epochs(epochs)
                    .gradientScaling(GradientScaling.MEAN_AT_OUTPUT)
                    .listener((epoch, loss, acc, tl, ta) -> {
                        if (epoch % 1000 == 0) {
                            ctx.out.println("Epoch " + epoch + ", Loss: " + PythonFormat.fixed(loss, 4));
                        }
                    })
                    .build().fit(net, xor, null);
            RecipeSupport.save(ctx, this, net, Loss.binaryCrossEntropy(1e-15), null, null, "xor", null);
            Matrix outputs = net.predict(xor.features());
            ctx.out.println();
            ctx.out.println("Final predictions:");
            ctx.out.println("Input -> Output (Expected)");
            int[] predictions = new int[4];
            for (int i = 0; i < 4; i++) {
                int[] input = {(int) xor.features().get(i, 0), (int) xor.features().get(i, 1)};
                ctx.out.println(PythonFormat.array(input) + " -> " + PythonFormat.fixed(outputs.get(i, 0), 4)
                        + " (" + xor.labels()[i] + ")");
                predictions[i] = outputs.get(i, 0) > 0.5 ? 1 : 0;
            }
            double accuracy = RecipeSupport.correct(predictions, xor.labels()) / 4.0;
            ctx.out.println("Accuracy: " + RecipeSupport.PercentFormat.of(accuracy));
            RecipeSupport.noteIfNotLearned(ctx, accuracy, "XOR", "--seed 0");
            RecipeSupport.lossPlot(ctx, this, "Training Loss over Time", h.trainLoss());
            RecipeSupport.boundaryPlot(ctx, this, "Decision Boundary for XOR (Layer classes)", xor, net, 0.1);
            Map<String, Object> json = ctx.json(this);
            json.put("lr", lr);
            json.put("epochs", epochs);
            json.put("hidden", new int[] {hidden});
            json.put("train_loss", h.trainLoss());
            json.put("final_train_loss", h.finalTrainLoss());
            json.put("outputs", outputs.data());
            json.put("predictions", predictions);
            json.put("train_accuracy", accuracy);
            json.put("train_seconds", h.trainSeconds());
            return json;
        }
    }
}
