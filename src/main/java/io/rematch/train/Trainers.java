package io.rematch.train;

import io.rematch.data.Mismatch;
import io.rematch.data.Split;
import io.rematch.model.TwoTower;

/** The trainer a configuration's {@code method} names. */
final class Trainers {

    private Trainers() {
    }

    static Trainer create(TrainingConfig config, TwoTower model, Split train, Mismatch.Injection injection,
                          Streams streams) {
        switch (config.method()) {
            case "rcl":
                return new RclTrainer(model, config, train, injection.pairImage(), streams);
            case "l2rm":
            case "hybrid":
                return new L2rmTrainer(model, config, train, injection, streams);
            default:
                throw new IllegalArgumentException("--method must be rcl, l2rm or hybrid, got " + config.method());
        }
    }
}
