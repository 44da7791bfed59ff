package dev.scratchnet.workshop;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.TrainTestSplit;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.GradientCheck;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Network;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.GradientCheckPlot;
import dev.scratchnet.report.PythonFormat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 002, section 3: the gradient check of {@code TwoLayerNet(2, 5, 2, init_std=0.1)}, drawn after
 * section 2's network, on the first 10 training rows: for W1, b1, W2, b2, the first 10 elements
 * by central differences (ε = 1e-5) against backpropagation, and their relative error.
 */
final class MoonsGradcheckRecipe implements Recipe {
    @Override
    public String name() {
        return "moons-gradcheck";
    }

    @Override
    public String notebook() {
        return "002 (section 3, gradient_check)";
    }

    @Override
    public String summary() {
        return "gradient check of TwoLayerNet 2-5-2 on 10 moons rows: relative error per parameter";
    }

    @Override
    public Map<String, Object> run(RecipeContext ctx) {
        if (ctx.precision() == Precision.FP32) {
            ctx.out.println("note: in fp32 the finite differences drown in rounding; the notebook's check is meant for fp64");
        }
        int hidden = ctx.settings.hidden(5)[0];
        TrainTestSplit.Split data = WorkshopData.moons();
        NumpyRandom rng = new NumpyRandom(ctx.settings.seed());
        RecipeSupport.drawAndDiscard(rng, new int[] {2, 10}, new int[] {10, 2});   // section 2's TwoLayerNet
        int[] first10 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Dataset small = data.train.subset("moons first 10", first10);
        Matrix y = small.targets(2);
        ctx.out.println("Running gradient check...");
        ctx.out.println();
        try (Network net = Network.builder(ctx.backend, ctx.precision(), 2).dense(hidden, Activation.relu())
                .dense(2, Activation.softmax()).build(Initializer.normal(0.1), rng)) {
            long start = System.nanoTime();
            List<GradientCheck.Result> results = GradientCheck.run(net, small.features(), y, MoonsRecipe.LOSS, 1e-5, 10);
            RecipeSupport.save(ctx, this, net, MoonsRecipe.LOSS, null, null, "workshop make_moons, the gradient check's rows", null);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> errors = new LinkedHashMap<>();
            for (GradientCheck.Result r : results) {
                ctx.out.println(r.parameter + ": relative error = " + PythonFormat.scientific(r.relativeError, 2));
                if (r.relativeError < GradientCheck.PASSED) {
                    ctx.out.println("  ✓ Gradient check passed!");
                } else if (r.relativeError < GradientCheck.ACCEPTABLE) {
                    ctx.out.println("  ~ Gradient check OK (might be acceptable)");
                } else {
                    ctx.out.println("  ✗ Gradient check FAILED!");
                }
                errors.put(r.parameter, r.relativeError);
            }
            ctx.plot(this, "gradient-check", () -> GradientCheckPlot.of("Gradient Check: Relative Error per Parameter", errors,
                    GradientCheck.PASSED, GradientCheck.ACCEPTABLE));
            Map<String, Object> json = ctx.json(this);
            json.put("hidden", new int[] {hidden});
            json.put("epsilon", 1e-5);
            json.put("gradient_check", errors);
            // no training here: the loss is the one at which the gradients were checked
            double loss = dev.scratchnet.nn.Trainer.evaluate(net, small, MoonsRecipe.LOSS).loss;
            json.put("train_loss", List.of(loss));
            json.put("final_train_loss", loss);
            json.put("train_seconds", seconds);
            return json;
        }
    }
}
