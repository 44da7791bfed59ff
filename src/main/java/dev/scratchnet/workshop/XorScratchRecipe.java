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
 * Seed 000, section 3: {@code NeuralNetworkFromScratch(2, 4, 2)} on XOR. Sigmoid hidden layer,
 * softmax output, weights randn·0.01, cross-entropy with log(p + 1e-8), full batch, and gradients
 * summed over the four rows rather than averaged; lr 0.5 for 5000 epochs. As written it settles
 * at 50%; eight hidden units learn XOR.
 */
final class XorScratchRecipe implements Recipe {
    @Override
    public String name() {
        return "xor-scratch";
    }

    @Override
    public String notebook() {
        return "000 (section 3, NeuralNetworkFromScratch)";
    }

    @Override
    public String summary() {
        return "2-4-2 sigmoid/softmax on XOR, summed gradients, lr 0.5, 5000 epochs";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.5);
        int epochs = ctx.settings.epochs(5000);
        int hidden = ctx.settings.hidden(4)[0];
        Dataset xor = Xor.dataset();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        try (Network net = Network.builder(ctx.backend, ctx.precision(), 2).dense(hidden, Activation.sigmoid())
                .dense(2, Activation.softmax()).build(Initializer.normal(0.01), rng);
             Optimizer sgd = Optimizer.sgd(lr)) {
            History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(sgd).epochs(epochs)
                    .gradientScaling(GradientScaling.SUM)
                    .listener((epoch, loss, acc, tl, ta) -> {
                        if (epoch % 100 == 0) {
                            ctx.out.println("Epoch " + epoch + ", Loss: " + PythonFormat.fixed(loss, 4));
                        }
                    })
                    .build().fit(net, xor, null);
            RecipeSupport.save(ctx, this, net, Loss.softmaxCrossEntropy(1e-8), null, null, "xor", null);
            int[] predictions = new int[xor.size()];
            double accuracy = RecipeSupport.reportXor(ctx, this, net, xor, "--hidden 8", "Loss over training epochs",
                    "Decision Boundary for XOR Problem", h.trainLoss(), predictions);
            Map<String, Object> json = ctx.json(this);
            json.put("lr", lr);
            json.put("epochs", epochs);
            json.put("hidden", new int[] {hidden});
            json.put("train_loss", h.trainLoss());
            json.put("final_train_loss", h.finalTrainLoss());
            json.put("predictions", predictions);
            json.put("train_accuracy", accuracy);
            json.put("train_seconds", h.trainSeconds());
            return json;
        }
    }
}
