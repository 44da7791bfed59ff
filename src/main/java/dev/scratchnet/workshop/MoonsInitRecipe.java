package dev.scratchnet.workshop;

import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 002, section 4: {@code train_with_init} for 'small' (std 0.01), 'xavier'
 * (sqrt(2/(2+10))) and 'he' (sqrt(2/2)), each a TwoLayerNet 2-10-2 drawn in turn after sections 2
 * and 3 drew theirs, trained 500 epochs at lr 0.5; the notebook applies the one std to both
 * layers, and so does this recipe. The losses go on a log scale.
 */
final class MoonsInitRecipe implements Recipe {
    @Override
    public String name() {
        return "moons-init";
    }

    @Override
    public String notebook() {
        return "002 (section 4, initialisation experiments)";
    }

    @Override
    public String summary() {
        return "small / Xavier / He initialisation of TwoLayerNet 2-10-2 on moons, 500 epochs each";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        double lr = ctx.settings.learningRate(0.5);
        int epochs = ctx.settings.epochs(500);
        int hidden = ctx.settings.hidden(10)[0];
        TrainTestSplit.Split data = WorkshopData.moons();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        RecipeSupport.drawAndDiscard(rng, new int[] {2, 10}, new int[] {10, 2}, new int[] {2, 5}, new int[] {5, 2});
        Map<String, Double> stds = new LinkedHashMap<>();
        stds.put("small", 0.01);
        stds.put("xavier", Math.sqrt(2.0 / (2 + 10)));
        stds.put("he", Math.sqrt(2.0 / 2));
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        List<Map<String, Object>> variants = new ArrayList<>();
        double seconds = 0;
        List<Double> firstLoss = null;
        for (Map.Entry<String, Double> e : stds.entrySet()) {
            try (Network net = Network.builder(ctx.backend, ctx.precision(), 2).dense(hidden, Activation.relu())
                    .dense(2, Activation.softmax()).build(Initializer.normal(e.getValue()), rng);
                 Optimizer sgd = Optimizer.sgd(lr)) {
                History h = Trainer.builder().loss(MoonsRecipe.LOSS).optimizer(sgd).epochs(epochs).build().fit(net, data.train, null);
                RecipeSupport.save(ctx, this, net, MoonsRecipe.LOSS, null, null,
                        "workshop make_moons(300, noise=0.2, random_state=42), 70/30", e.getKey());
                seconds += h.trainSeconds();
                Trainer.Metrics test = Trainer.evaluate(net, data.test, MoonsRecipe.LOSS);
                ctx.out.println(String.format("%-10s", e.getKey()) + " - Final test accuracy: " + RecipeSupport.PercentFormat.of(test.accuracy));
                curves.put(e.getKey(), h.trainLoss());
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("name", e.getKey());
                v.put("std", e.getValue());
                v.put("train_loss", h.trainLoss());
                v.put("final_train_loss", h.finalTrainLoss());
                v.put("final_test_loss", test.loss);
                v.put("test_accuracy", test.accuracy);
                variants.add(v);
                if (firstLoss == null) {
                    firstLoss = h.trainLoss();
                }
            }
        }
        RecipeSupport.curvesPlot(ctx, this, "init-comparison", "Training Loss: Initialization Comparison", "Loss", curves, true);
        Map<String, Object> json = ctx.json(this);
        json.put("lr", lr);
        json.put("epochs", epochs);
        json.put("hidden", new int[] {hidden});
        json.put("variants", variants);
        json.put("train_loss", firstLoss);
        json.put("final_train_loss", firstLoss.get(firstLoss.size() - 1));
        json.put("train_seconds", seconds);
        return json;
    }
}
