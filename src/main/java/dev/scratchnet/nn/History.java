package dev.scratchnet.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Per-epoch training figures: train loss and accuracy, and test loss and accuracy when evaluated. */
public final class History {
    private final List<Double> trainLoss = new ArrayList<>();
    private final List<Double> trainAccuracy = new ArrayList<>();
    private final List<Double> testLoss = new ArrayList<>();
    private final List<Double> testAccuracy = new ArrayList<>();
    private double trainSeconds;

    void add(double trainLoss, double trainAccuracy, double testLoss, double testAccuracy) {
        this.trainLoss.add(trainLoss);
        this.trainAccuracy.add(trainAccuracy);
        if (!Double.isNaN(testLoss)) {
            this.testLoss.add(testLoss);
            this.testAccuracy.add(testAccuracy);
        }
    }

    void setTrainSeconds(double seconds) {
        this.trainSeconds = seconds;
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

    /** Test loss after each epoch's updates; empty when no test set was given. */
    public List<Double> testLoss() {
        return Collections.unmodifiableList(testLoss);
    }

    /** Test accuracy (0..1) after each epoch's updates; empty when no test set was given. */
    public List<Double> testAccuracy() {
        return Collections.unmodifiableList(testAccuracy);
    }

    public double finalTrainLoss() {
        return trainLoss.get(trainLoss.size() - 1);
    }

    /** Wall time of the training loop itself, without setup. */
    public double trainSeconds() {
        return trainSeconds;
    }
}
