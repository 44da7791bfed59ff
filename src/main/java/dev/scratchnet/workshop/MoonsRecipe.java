package dev.scratchnet.workshop;

import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.nn.Activation;
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
 * Seed 002, section 2: {@code TwoLayerNet(2, 10, 2, init_std=0.1)} on make_moons. ReLU hidden,
 * softmax output, cross-entropy with log(p + 1e-8), full batch, gradients averaged; lr 0.5 for
 * 1000 epochs, then accuracy on the training and test sets.
 */
final class MoonsRecipe implements Recipe {
    static final Loss LOSS = Loss.softmaxCrossEntropy(1e-8);

    @Override
    public String name() {
        return "moons";
    }

    @Override
    public String notebook() {
        return "002 (section 2, TwoLayerNet)";
    }

    @Override
    public String summary() {
        return "TwoLayerNet 2-10-2 ReLU/softmax on make_moons(300, noise 0.2), lr 0.5, 1000 epochs";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.5);
        int epochs = ctx.settings.epochs(1000);
        int hidden = ctx.settings.hidden(10)[0];
        TrainTestSplit.Split data = WorkshopData.moons();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        try (Network net = Network.builder(ctx.backend, ctx.precision(), 2).dense(hidden, Activation.relu())
                .dense(2, Activation.softmax()).build(Initializer.normal(0.1), rng);
             Optimizer sgd = Optimizer.sgd(lr)) {
            History h = Trainer.builder().loss(LOSS).optimizer(sgd).epochs(epochs)
                    .listener((epoch, loss, acc, tl, ta) -> {
                        if ((epoch + 1) % 200 == 0) {
                            ctx.out.println("Epoch " + (epoch + 1) + "/" + epochs + ", Loss: " + PythonFormat.fixed(loss, 4));
                        }
                    })
                    .build().fit(net, data.train, null);
            RecipeSupport.save(ctx, this, net, LOSS, null, null, "workshop make_moons(300, noise=0.2, random_state=42), 70/30", null);
            Trainer.Metrics train = Trainer.evaluate(net, data.train, LOSS);
            Trainer.Metrics test = Trainer.evaluate(net, data.test, LOSS);
            ctx.out.println();
            ctx.out.println("Final Training Accuracy: " + RecipeSupport.PercentFormat.of(train.accuracy));
            ctx.out.println("Final Test Accuracy: " + RecipeSupport.PercentFormat.of(test.accuracy));
            RecipeSupport.lossPlot(ctx, this, "Training Loss Curve", h.trainLoss());
            RecipeSupport.boundaryPlot(ctx, this, "Decision Boundary on make_moons (training set)", data.train, net, 0.5);
            Map<String, Object> json = ctx.json(this);
            json.put("lr", lr);
            json.put("epochs", epochs);
            json.put("hidden", new int[] {hidden});
            json.put("train_loss", h.trainLoss());
            json.put("final_train_loss", h.finalTrainLoss());
            json.put("final_test_loss", test.loss);
            json.put("train_accuracy", train.accuracy);
            json.put("test_accuracy", test.accuracy);
            json.put("predictions", net.predictLabels(data.test.features()));
            json.put("train_seconds", h.trainSeconds());
            return json;
        }
    }
}
