package dev.scratchnet.workshop;

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
 * Seed 000, section 6: {@code MultiLayerNeuralNetwork([2, 8, 4, 2])} on XOR. ReLU hidden layers,
 * softmax output, weights randn·sqrt(1/fan_in), drawn after section 3's network; each epoch
 * shuffles with {@code np.random.permutation} and runs mini-batches of 4 (one batch), gradients
 * averaged; lr 0.05 for 2000 epochs. As written it stops at 75%; with {@code --seed 1} it learns XOR.
 */
final class XorMultilayerRecipe implements Recipe {
    @Override
    public String name() {
        return "xor-multilayer";
    }

    @Override
    public String notebook() {
        return "000 (section 6, MultiLayerNeuralNetwork)";
    }

    @Override
    public String summary() {
        return "[2, 8, 4, 2] ReLU/softmax on XOR, shuffled mini-batches of 4, lr 0.05, 2000 epochs";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.05);
        int epochs = ctx.settings.epochs(2000);
        int[] hidden = ctx.settings.hidden(8, 4);
        Dataset xor = Xor.dataset();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        RecipeSupport.drawAndDiscard(rng, new int[] {2, 4}, new int[] {4, 2});   // section 3's NeuralNetworkFromScratch
        Network.Builder b = Network.builder(ctx.backend, ctx.precision(), 2);
        for (int units : hidden) {
            b.dense(units, Activation.relu());
        }
        try (Network net = b.dense(2, Activation.softmax()).build(Initializer.fanIn(), rng);
             Optimizer sgd = Optimizer.sgd(lr)) {
            History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(sgd).epochs(epochs).batchSize(4)
                    .shuffle(rng).gradientScaling(GradientScaling.MEAN)
                    .listener((epoch, loss, acc, tl, ta) -> {
                        if (epoch % 200 == 0) {
                            ctx.out.println("Epoch " + epoch + ", Loss: " + PythonFormat.fixed(loss, 4)
                                    + ", Accuracy: " + PythonFormat.fixed(acc * 100, 2) + "%");
                        }
                    })
                    .build().fit(net, xor, null);
            RecipeSupport.save(ctx, this, net, Loss.softmaxCrossEntropy(1e-8), null, null, "xor", null);
            int[] predictions = new int[xor.size()];
            double accuracy = RecipeSupport.reportXor(ctx, this, net, xor, "--seed 1", "Loss over epochs",
                    "Decision Boundary for XOR Problem (Multi-Layer Network)", h.trainLoss(), predictions);
            RecipeSupport.curvesPlot(ctx, this, "accuracy", "Accuracy over epochs", "Accuracy (%)",
                    Map.of("Accuracy", h.trainAccuracy().stream().map(a -> a * 100).collect(java.util.stream.Collectors.toList())), false);
            Map<String, Object> json = ctx.json(this);
            json.put("lr", lr);
            json.put("epochs", epochs);
            json.put("hidden", hidden);
            json.put("train_loss", h.trainLoss());
            json.put("final_train_loss", h.finalTrainLoss());
            json.put("train_accuracy_curve", h.trainAccuracy());
            json.put("predictions", predictions);
            json.put("train_accuracy", accuracy);
            json.put("train_seconds", h.trainSeconds());
            return json;
        }
    }
}
