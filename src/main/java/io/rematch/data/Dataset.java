package io.rematch.data;

import io.rematch.data.emoji.EmojiDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A dataset on disk that training and evaluation read split by split: a {@link DatasetFolder} of
 * precomputed features, or an {@link EmojiDataset} whose features are computed from images and
 * texts at load time.
 */
public interface Dataset {

    /** The folder the dataset lives in. */
    Path dir();

    /** Whether the dataset has split {@code name}. */
    boolean has(String name);

    /**
     * Loads one split.
     *
     * @throws IllegalArgumentException naming the file when the data is missing or inconsistent
     */
    Split split(String name) throws IOException;

    /** The text vocabulary, built from the training texts on first use, or {@code null} for caption vectors. */
    TfIdf vocabulary() throws IOException;

    /** Encodes texts with {@code fixed} (the vocabulary a model was trained with) instead. */
    void useVocabulary(TfIdf fixed);

    /** A hex digest of the dataset's files: a resumed run refuses another dataset. */
    String fingerprint() throws IOException;

    /**
     * Opens {@code dir}: an emoji folder when it holds {@code items.tsv}, a {@link DatasetFolder} otherwise.
     *
     * @param option how messages name the folder, e.g. {@code --data}
     */
    static Dataset open(Path dir, String option) {
        if (Files.isRegularFile(dir.resolve(EmojiDataset.ITEMS))) {
            return EmojiDataset.open(dir, option);
        }
        if (Files.isRegularFile(dir.resolve(EmojiDataset.TEXTS))) {
            throw new IllegalArgumentException(option + " " + dir + " holds " + EmojiDataset.TEXTS + " but no "
                    + EmojiDataset.ITEMS + ": an emoji dataset needs both and its images-VENDOR.png sheets"
                    + " (data-small/emoji/README.md)");
        }
        return DatasetFolder.open(dir, option);
    }
}
