/** rematch: robust cross-modal retrieval under partially mismatched pairs. */
package io.rematch;
