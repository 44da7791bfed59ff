package dev.scratchnet.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-epoch training figures: train loss and accuracy, validation and test loss and accuracy when
 * evaluated, each epoch's training time and learning rate, and how the run ended.
 */
public final class History {
    private final List<Double> trainLoss = new ArrayList<>();
    private final List<Double> trainAccuracy = new ArrayList<>();
    private final List<Double> validationLoss = new ArrayList<>();
    private final List<Double> validationAccuracy = new ArrayList<>();
    private final List<Double> testLoss = new ArrayList<>();
    private final List<Double> testAccuracy = new ArrayList<>();
    private final List<Double> epochSeconds = new ArrayList<>();
    private final List<Double> learningRate = new ArrayList<>();
    private double trainSeconds;
    private int bestEpoch = -1;
    private boolean stoppedEarly;
    private boolean interrupted;

    void add(double trainLoss, double trainAccuracy, double testLoss, double testAccuracy) {
        add(trainLoss, trainAccuracy, Double.NaN, Double.NaN, testLoss, testAccuracy, Double.NaN, Double.NaN);
    }

    void add(double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy, double testLoss,
             double testAccuracy, double seconds, double rate) {
        this.trainLoss.add(trainLoss);
        this.trainAccuracy.add(trainAccuracy);
        if (!Double.isNaN(validationLoss)) {
            this.validationLoss.add(validationLoss);
            this.validationAccuracy.add(validationAccuracy);
        }
        if (!Double.isNaN(testLoss)) {
            this.testLoss.add(testLoss);
            this.testAccuracy.add(testAccuracy);
        }
        if (!Double.isNaN(seconds)) {
            this.epochSeconds.add(seconds);
        }
        if (!Double.isNaN(rate)) {
            this.learningRate.add(rate);
        }
    }

    void setTrainSeconds(double seconds) {
        this.trainSeconds = seconds;
    }

    void setBestEpoch(int epoch) {
        this.bestEpoch = epoch;
    }

    void setStoppedEarly(boolean stopped) {
        this.stoppedEarly = stopped;
    }

    void setInterrupted(boolean interrupted) {
        this.interrupted = interrupted;
    }

    /** A history continued from a checkpoint: the lists as saved, in epoch order. */
    public static History restore(List<Double> trainLoss, List<Double> trainAccuracy, List<Double> validationLoss,
                                  List<Double> validationAccuracy, List<Double> testLoss, List<Double> testAccuracy,
                                  List<Double> epochSeconds, List<Double> learningRate, double trainSeconds, int bestEpoch,
                                  boolean stoppedEarly) {
        History h = new History();
        h.trainLoss.addAll(trainLoss);
        h.trainAccuracy.addAll(trainAccuracy);
        h.validationLoss.addAll(validationLoss);
        h.validationAccuracy.addAll(validationAccuracy);
        h.testLoss.addAll(testLoss);
        h.testAccuracy.addAll(testAccuracy);
        h.epochSeconds.addAll(epochSeconds);
        h.learningRate.addAll(learningRate);
        h.trainSeconds = trainSeconds;
        h.bestEpoch = bestEpoch;
        h.stoppedEarly = stoppedEarly;
        return h;
    }

    History copy() {
        History h = restore(trainLoss, trainAccuracy, validationLoss, validationAccuracy, testLoss, testAccuracy, epochSeconds,
                learningRate, trainSeconds, bestEpoch, stoppedEarly);
        h.interrupted = interrupted;
        return h;
    }

    public int epochs() {
        return trainLoss.size();
    }

    /** Mean training loss of each epoch, over its batches, before each batch's update. */
    public List<Double> trainLoss() {
        return Collections.unmodifiableList(trainLoss);
    }

    /** Training accuracy (0..1) of each epoch, before each batch's update. */
    public List<Double> trainAccuracy() {
        return Collections.unmodifiableList(trainAccuracy);
    }

    /** Validation loss after each epoch's updates; empty without a validation set. */
    public List<Double> validationLoss() {
        return Collections.unmodifiableList(validationLoss);
    }

    /** Validation accuracy after each epoch's updates; empty without a validation set. */
    public List<Double> validationAccuracy() {
        return Collections.unmodifiableList(validationAccuracy);
    }

    /** Test loss after each epoch's updates; empty when no test set was given. */
    public List<Double> testLoss() {
        return Collections.unmodifiableList(testLoss);
    }

    /** Test accuracy (0..1) after each epoch's updates; empty when no test set was given. */
    public List<Double> testAccuracy() {
        return Collections.unmodifiableList(testAccuracy);
    }

    /** Wall time of each epoch's training and evaluation, in seconds. */
    public List<Double> epochSeconds() {
        return Collections.unmodifiableList(epochSeconds);
    }

    /** The learning rate of each epoch. */
    public List<Double> learningRate() {
        return Collections.unmodifiableList(learningRate);
    }

    public double finalTrainLoss() {
        return trainLoss.get(trainLoss.size() - 1);
    }

    /** Wall time of the training loop itself, without setup (over every run, when resumed). */
    public double trainSeconds() {
        return trainSeconds;
    }

    /** With early stopping: the epoch (from 0) of the lowest validation loss, whose weights the network holds; else -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Whether early stopping ended the run before its last epoch. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** Whether a stop request (Ctrl-C, SIGTERM) ended the run. */
    public boolean interrupted() {
        return interrupted;
    }
}
