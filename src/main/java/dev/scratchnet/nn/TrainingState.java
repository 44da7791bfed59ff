package dev.scratchnet.nn;

import dev.scratchnet.backend.Matrix;
import dev.scratchnet.random.NumpyRandom;

import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Trainer} needs to continue a run exactly where it stopped: the parameters,
 * the optimizer's state and step count, the shuffle stream, the position (epoch and batch), the
 * partial sums of an epoch stopped between batches, the history so far and the early-stopping
 * bookkeeping. A checkpoint file holds one (io/Checkpoint).
 */
public final class TrainingState {
    /** The epoch (from 0) to run next, or the one in progress when {@link #batch} &gt; 0. */
    public final int epoch;
    /** Batches of {@link #epoch} already done; 0 at an epoch boundary. */
    public final int batch;
    /** The shuffle stream as it was before {@link #epoch}'s permutation; null when the rows are not shuffled. */
    public final NumpyRandom.State shuffle;
    /** The epoch's summed training loss and correct count so far (when {@link #batch} &gt; 0). */
    public final double[] accumulators;
    public final History history;
    public final List<Matrix> weights;
    public final List<Matrix> biases;
    public final int optimizerSteps;
    public final Map<String, Matrix> optimizerState;
    /** Early stopping: the lowest validation loss so far (+∞ before the first), epochs since, and its weights (or null). */
    public final double bestValidationLoss;
    public final int epochsWithoutImprovement;
    public final List<Matrix> bestWeights;
    public final List<Matrix> bestBiases;

    public TrainingState(int epoch, int batch, NumpyRandom.State shuffle, double[] accumulators, History history,
                         List<Matrix> weights, List<Matrix> biases, int optimizerSteps, Map<String, Matrix> optimizerState,
                         double bestValidationLoss, int epochsWithoutImprovement, List<Matrix> bestWeights, List<Matrix> bestBiases) {
        this.epoch = epoch;
        this.batch = batch;
        this.shuffle = shuffle;
        this.accumulators = accumulators == null ? new double[2] : accumulators.clone();
        this.history = history;
        this.weights = weights;
        this.biases = biases;
        this.optimizerSteps = optimizerSteps;
        this.optimizerState = optimizerState;
        this.bestValidationLoss = bestValidationLoss;
        this.epochsWithoutImprovement = epochsWithoutImprovement;
        this.bestWeights = bestWeights;
        this.bestBiases = bestBiases;
    }

    /** Whether the run this state comes from had ended (all epochs, or early stopping). */
    public boolean finished(int epochs) {
        return history.stoppedEarly() || (batch == 0 && epoch >= epochs);
    }
}
