package io.rematch.data;

import java.util.Arrays;

/**
 * One split of a dataset (train, dev, test or testall): image and caption features, the item id of
 * every image and caption, and the given image-caption pairs.
 *
 * <p>A caption is correct for every image with its id. In SCAN's {@code precomp} convention
 * (k captions per image) image {@code i} has id {@code i} and caption {@code j} has id
 * {@code j / k}; the general form (several images per item, any number of captions) reads the ids
 * from files. The pairs are what training sees: {@code pairImage[p]} is the image given with
 * caption {@code pairCaption[p]}. In the files they are correct; {@link Mismatch} makes some wrong.
 *
 * @param name              {@code train}, {@code dev}, {@code test} or {@code testall}
 * @param images            {@code nImages x dv}
 * @param captions          {@code nCaptions x dt}
 * @param imageIds          item id of each image
 * @param captionIds        item id of each caption
 * @param pairImage         image index of each pair
 * @param pairCaption       caption index of each pair
 * @param captionsPerImage  k of the {@code precomp} convention, or 0 for the general form
 */
public record Split(String name, Features images, Features captions, long[] imageIds, long[] captionIds,
                    int[] pairImage, int[] pairCaption, int captionsPerImage) {

    public Split {
        if (imageIds.length != images.rows() || captionIds.length != captions.rows()) {
            throw new IllegalArgumentException(name + ": " + images.rows() + " images and " + captions.rows()
                    + " captions, but " + imageIds.length + " image ids and " + captionIds.length + " caption ids");
        }
        if (pairImage.length != pairCaption.length) {
            throw new IllegalArgumentException(name + ": pair columns differ in length");
        }
    }

    /**
     * The {@code precomp} form: caption {@code j} belongs to image {@code j / k} and every caption
     * is one pair.
     */
    public static Split ofCaptionsPerImage(String name, Features images, Features captions, int k) {
        int n = images.rows();
        int m = captions.rows();
        if (k < 1 || (long) n * k != m) {
            throw new IllegalArgumentException(name + ": " + m + " captions for " + n + " images is not a whole"
                    + " number k of captions per image");
        }
        long[] imageIds = new long[n];
        long[] captionIds = new long[m];
        int[] pairImage = new int[m];
        int[] pairCaption = new int[m];
        for (int i = 0; i < n; i++) {
            imageIds[i] = i;
        }
        for (int j = 0; j < m; j++) {
            captionIds[j] = j / k;
            pairImage[j] = j / k;
            pairCaption[j] = j;
        }
        return new Split(name, images, captions, imageIds, captionIds, pairImage, pairCaption, k);
    }

    public int imageCount() {
        return images.rows();
    }

    public int captionCount() {
        return captions.rows();
    }

    public int pairCount() {
        return pairImage.length;
    }

    /** Whether pair {@code p}'s image has its caption's id. */
    public boolean isCorrect(int p) {
        return imageIds[pairImage[p]] == captionIds[pairCaption[p]];
    }

    @Override
    public String toString() {
        return name + ": " + imageCount() + " images (" + images.cols() + "-d), " + captionCount() + " captions ("
                + captions.cols() + "-d), " + pairCount() + " pairs";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Split s && s.name.equals(name) && s.images == images && s.captions == captions
                && Arrays.equals(s.pairImage, pairImage) && Arrays.equals(s.pairCaption, pairCaption);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(pairImage);
    }
}
