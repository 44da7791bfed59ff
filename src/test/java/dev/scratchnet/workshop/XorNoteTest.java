package dev.scratchnet.workshop;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The note after a network that did not learn XOR names only a setting known to work with the others. */
class XorNoteTest {
    @Test
    void theNoteSuggestsOnlyASettingNotInUseThatWorksWithTheOthers() {
        RecipeSettings notebook = RecipeSettings.notebook();
        assertEquals("note: as the notebook writes it, this network stops at 50.00% on XOR; --hidden 8 learns it (100%)",
                RecipeSupport.notLearnedNote(notebook, 0.5, "XOR", "--hidden 8"));
        RecipeSettings lr = new RecipeSettings(null, null, 1e6, null, new int[] {8});
        assertEquals("note: with these settings, the network stops at 50.00% on XOR; the notebook's settings with --hidden 8 "
                + "learn it (100%): drop --lr 1000000.0", RecipeSupport.notLearnedNote(lr, 0.5, "XOR", "--hidden 8"));
        RecipeSettings seed = new RecipeSettings(null, 3L, null, null, null);
        // another seed with the notebook's other settings: the working seed is the one thing to change
        assertEquals("note: with these settings, the network stops at 75.00% on XOR; --seed 1 learns it (100%)", RecipeSupport.notLearnedNote(seed, 0.75, "XOR", "--seed 1"));
        RecipeSettings seedAndEpochs = new RecipeSettings(null, 3L, null, 50, null);
        assertEquals("note: with these settings, the network stops at 75.00% on XOR; the notebook's settings with --seed 1 "
                + "learn it (100%): drop --epochs 50 and add --seed 1", RecipeSupport.notLearnedNote(seedAndEpochs, 0.75, "XOR", "--seed 1"));
        RecipeSettings both = new RecipeSettings(null, null, null, null, new int[] {8});
        assertEquals("note: with these settings, the network stops at 50.00% on XOR; the notebook's settings with --hidden 8 learn it (100%) in fp64",
                RecipeSupport.notLearnedNote(both, 0.5, "XOR", "--hidden 8"));
    }
}
