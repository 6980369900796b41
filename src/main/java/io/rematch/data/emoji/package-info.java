/**
 * The emoji image-text dataset: built from the {@code emoji-datasource-*} and {@code emojibase-data}
 * npm packages ({@link io.rematch.data.emoji.EmojiBuilder}), stored as 32 x 32 sprite sheets and two
 * tables ({@link io.rematch.data.emoji.EmojiSheet}), and turned into features at load time
 * ({@link io.rematch.data.emoji.ImageFeatures}, TF-IDF texts) by
 * {@link io.rematch.data.emoji.EmojiDataset}.
 */
package io.rematch.data.emoji;
