package io.rematch.train;

import io.rematch.loss.LossValue;
import io.rematch.model.Parameters;
import io.rematch.model.TwoTower;
import io.rematch.optim.Adam;

/**
 * The retrieval model with its optimiser: Adam over the flat parameter vector, after the
 * gradient norm is clipped (both releases: {@code clip_grad_norm_(params, 2.0)}), and the batch
 * buffers a step needs.
 */
final class ModelOptimiser {

    final TwoTower model;
    final Adam adam;
    final double clip;
    private final Parameters parameters;

    ModelOptimiser(TwoTower model, double learningRate, double clip) {
        this.model = model;
        this.parameters = model.parameters();
        this.adam = new Adam(parameters.size(), Adam.Settings.withLearningRate(learningRate));
        this.clip = clip;
    }

    /** Back-propagates {@code value}'s \(\partial L/\partial S\) of the last scores, clips, steps. */
    void step(LossValue value) {
        parameters.zeroGradients();
        accumulate(value);
        apply();
    }

    /**
     * Adds the gradient of a loss on the last {@link TwoTower#scores} call to the parameter
     * gradients (several losses on different batches sum, as one PyTorch backward of their sum).
     */
    void accumulate(LossValue value) {
        model.backward(value.gradient().data);
    }

    /**
     * Clips the accumulated gradient and takes the Adam step: in float64 on the master weights, or in
     * float32 on the device that trains the model ({@link Parameters#step}).
     */
    void apply() {
        parameters.step(adam, clip);
    }

    void zeroGradients() {
        parameters.zeroGradients();
    }

    void save(Checkpoint out) {
        Adam.State s = adam.state();
        out.putArray("weights", parameters.values().clone());
        out.putArray("adam_m", s.firstMoment());
        out.putArray("adam_v", s.secondMoment());
        out.putLong("adam_steps", s.steps());
        out.putDouble("adam_lr", s.learningRate());
    }

    void restore(Checkpoint in) {
        int n = parameters.size();
        System.arraycopy(in.array("weights", n), 0, parameters.values(), 0, n);
        parameters.valuesChanged();
        adam.restore(new Adam.State(in.array("adam_m", n), in.array("adam_v", n), in.getLong("adam_steps"),
                in.getDouble("adam_lr")));
    }
}
