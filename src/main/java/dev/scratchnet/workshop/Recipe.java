package dev.scratchnet.workshop;

import java.util.Map;

/**
 * One network of one workshop notebook, reproduced: the same architecture, initialisation and draw
 * order, update rule, loss and data. On the CPU backend in fp64 it prints the notebook's numbers.
 */
public interface Recipe {
    /** The name {@code scratchnet workshop NAME} takes. */
    String name();

    /** Which notebook it comes from, e.g. "000 (Part 2, section 3)". */
    String notebook();

    /** One line: the network and what it shows. */
    String summary();

    /** Trains and reports: prints what the notebook prints, writes plots, returns the JSON fields. */
    Map<String, Object> run(RecipeContext context);
}
