package io.rematch.cli;

import io.rematch.data.SyntheticData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch dataset}: makes dataset folders. */
@Command(name = "dataset", mixinStandardHelpOptions = true, versionProvider = Rematch.Version.class,
        description = {"Make a dataset folder: synthetic features, or the emoji image-text set from npm packages (see docs/data.md)."},
        subcommands = {DatasetCommand.Synthetic.class, DatasetCommand.Emoji.class})
final class DatasetCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("rematch dataset: error: no dataset kind given; try 'rematch dataset synthetic' or 'rematch dataset emoji'");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Rematch.BAD_INPUT;
    }

    /** {@code rematch dataset synthetic}. */
    @Command(name = "synthetic", mixinStandardHelpOptions = true, sortOptions = false,
            versionProvider = Rematch.Version.class,
            customSynopsis = {"rematch dataset synthetic --out=DIR [OPTIONS]"},
            description = {"Write a synthetic image-text dataset: latent clusters rendered into two modalities by "
                    + "random non-linear maps plus noise, split into train, dev and test (float32 .npy): by "
                    + "default 80/10/10; --images 31000 --eval-images 1000 is Flickr30K's 29,000/1,000/1,000.",
                    "", "Mismatches are not written into the files: 'rematch train --mismatch R' injects them."})
    static final class Synthetic extends Subcommand {

        @Option(names = "--out", required = true, paramLabel = "DIR", order = 1,
                description = "The folder to write (created if needed; its dataset files are replaced).")
        Path out;

        @Option(names = "--images", defaultValue = "3000", paramLabel = "N", order = 2,
                description = "Images over all three splits (default: ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--eval-images", paramLabel = "M", order = 3,
                description = "Images of the dev split and, as many, of the test split; train gets the rest, at least "
                        + SyntheticData.MIN_TRAIN_IMAGES + " (default: a tenth of --images).")
        Integer evalImages;

        @Option(names = "--captions-per-image", defaultValue = "5", paramLabel = "K", order = 4,
                description = "Captions per image (default: ${DEFAULT-VALUE}).")
        int captionsPerImage;

        @Option(names = "--dims", defaultValue = "128,96", paramLabel = "DV,DT", order = 5,
                description = "Image and text feature widths (default: ${DEFAULT-VALUE}).")
        String dims;

        @Option(names = "--clusters", defaultValue = "20", paramLabel = "C", order = 6,
                description = "Latent clusters: items of one cluster are near-duplicates (default: ${DEFAULT-VALUE}).")
        int clusters;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", order = 7,
                description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        int run() {
            String[] parts = dims.split(",");
            int dv;
            int dt;
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                dv = Integer.parseInt(parts[0].trim());
                dt = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--dims must be two widths DV,DT such as 128,96, got '" + dims + "'");
            }
            int eval = evalImages != null ? evalImages : SyntheticData.defaultEvalImages(images);
            if (images >= 30 && eval >= 1 && (long) images - 2L * eval < SyntheticData.MIN_TRAIN_IMAGES) {
                throw new IllegalArgumentException("--eval-images " + eval + " leaves " + (images - 2L * eval)
                        + " of the " + images + " --images for training (dev and test get " + eval + " each); train"
                        + " needs at least " + SyntheticData.MIN_TRAIN_IMAGES + ": give --eval-images at most "
                        + (images - SyntheticData.MIN_TRAIN_IMAGES) / 2 + ", or more --images");
            }
            SyntheticData d;
            try {
                d = new SyntheticData(images, eval, captionsPerImage, dv, dt, clusters, seed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage().replace("dims (image)", "dims (image width)")
                        .replace("dims (text)", "dims (text width)"), e);
            }
            if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the dataset");
            }
            try {
                d.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write --out " + out + ": " + e.getMessage(), e);
            }
            int[] sizes = d.splitSizes();
            out().printf("wrote %s: train %d, dev %d, test %d images, %d captions each, %d-d images, %d-d captions%n",
                    out, sizes[0], sizes[1], sizes[2], captionsPerImage, dv, dt);
            return 0;
        }
    }

    /** {@code rematch dataset emoji}. */
    @Command(name = "emoji", mixinStandardHelpOptions = true, sortOptions = false,
            versionProvider = Rematch.Version.class,
            customSynopsis = {"rematch dataset emoji --from=DIR... --out=DIR"},
            description = {"Build the emoji image-text dataset (data-small/emoji) from unpacked npm packages: "
                    + "emojibase-data (labels and tags) and one or more emoji-datasource-VENDOR packages (renderings).",
                    "", "The committed set, rebuilt (bin/fetch-emoji-packages runs npm pack for the",
                    "three packages and unpacks what is needed):", "",
                    "  bin/fetch-emoji-packages /tmp/npm",
                    "  bin/rematch dataset emoji --from /tmp/npm --out data-small/emoji", ""})
    static final class Emoji extends Subcommand {

        @Option(names = "--from", required = true, arity = "1..*", paramLabel = "DIR", order = 1,
                description = "Unpacked packages, or folders holding them.")
        java.util.List<Path> from;

        @Option(names = "--out", required = true, paramLabel = "DIR", order = 2,
                description = "The folder to write (created if needed; its dataset files are replaced).")
        Path out;

        @Override
        int run() {
            if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the dataset");
            }
            io.rematch.data.emoji.EmojiBuilder.Summary s;
            try {
                s = io.rematch.data.emoji.EmojiBuilder.build(from, out);
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IllegalArgumentException("--out " + out + " cannot be written (" + e.getFile() + ")", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build --out " + out + ": " + e.getMessage(), e);
            }
            out().printf("wrote %s: %d emoji in %d families (train %d, dev %d, test %d), %d images (%s), %d texts%n",
                    out, s.items(), s.families(), s.itemsPerSplit()[0], s.itemsPerSplit()[1], s.itemsPerSplit()[2],
                    s.items() * s.vendors().size(), String.join(", ", s.vendors()), s.texts());
            return 0;
        }
    }
}
