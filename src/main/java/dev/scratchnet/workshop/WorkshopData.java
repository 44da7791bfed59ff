package dev.scratchnet.workshop;

import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Digits;
import dev.scratchnet.data.Moons;
import dev.scratchnet.data.StandardScaler;
import dev.scratchnet.data.TrainTestSplit;

/**
 * The notebooks' data, with their fixed {@code random_state}s (which {@code --seed} leaves alone,
 * as the notebooks' {@code np.random.seed} does).
 */
final class WorkshopData {
    private WorkshopData() {
    }

    /** Seed 002: {@code make_moons(300, noise=0.2, random_state=42)}, split 70/30 with random_state 42. */
    static TrainTestSplit.Split moons() {
        return TrainTestSplit.split(Moons.make(300, 0.2, 42), 0.3, 42, false);
    }

    /** Seed 003's digits: 0 and 1 only, a stratified 80/20 split (random_state 42), standardised. */
    static final class Digits01 {
        final Dataset train;
        final Dataset test;
        final StandardScaler scaler;

        private Digits01(Dataset train, Dataset test, StandardScaler scaler) {
            this.train = train;
            this.test = test;
            this.scaler = scaler;
        }
    }

    static Digits01 digits() {
        Dataset zeroOne = Digits.filter(Digits.load(), 0, 1);
        TrainTestSplit.Split split = TrainTestSplit.split(zeroOne, 0.2, 42, true);
        StandardScaler scaler = StandardScaler.fit(split.train.features());
        return new Digits01(split.train.withFeatures(scaler.transform(split.train.features())),
                split.test.withFeatures(scaler.transform(split.test.features())), scaler);
    }
}
