/**
 * Cross-modal retrieval evaluation: Recall@K, median and mean rank, and rsum for image-to-text
 * and text-to-image retrieval, with the conventions of the RCL release
 * ({@code RCL-SGRAF/evaluation.py}, functions {@code i2t} and {@code t2i}, commit 1096a24) and an
 * explicit, documented treatment of tied scores.
 */
package io.rematch.eval;
