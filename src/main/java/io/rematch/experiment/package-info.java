/**
 * The papers' experiments at small scale: named arms (a loss or method at a mismatch rate and a
 * seed) trained by {@link io.rematch.experiment.Runner}, summarised over seeds as Markdown tables
 * ({@link io.rematch.experiment.Tables}) and drawn as PNGs ({@link io.rematch.experiment.Charts},
 * {@link io.rematch.experiment.Pictures}); {@link io.rematch.experiment.Experiments} names them and
 * {@link io.rematch.experiment.Demo} is the main job.
 */
package io.rematch.experiment;
