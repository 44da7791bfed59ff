package dev.scratchnet.workshop;

import java.util.List;

/** The seven workshop recipes, in notebook order. */
public final class Workshop {
    public static final List<Recipe> RECIPES = List.of(
            new XorScratchRecipe(), new XorMultilayerRecipe(), new XorLayersRecipe(),
            new MoonsRecipe(), new MoonsGradcheckRecipe(), new MoonsInitRecipe(), new DigitsRecipe());

    private Workshop() {
    }

    public static Recipe find(String name) {
        for (Recipe r : RECIPES) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Recipe r : RECIPES) {
            names.append(names.length() == 0 ? "" : ", ").append(r.name());
        }
        throw new IllegalArgumentException("unknown recipe '" + name + "': expected one of " + names + " (see scratchnet workshop --list)");
    }
}
