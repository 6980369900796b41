package io.rematch.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The shape of one tower: {@code linear} (input -> embedding) or {@code mlp} (input -> hidden
 * widths with ReLU -> embedding), followed by L2 normalisation.
 *
 * @param kind   {@code linear} or {@code mlp}
 * @param hidden the hidden widths of an MLP (at least one); empty for {@code linear}
 * @param embed  the embedding dimension
 */
public record EncoderSpec(String kind, int[] hidden, int embed) {

    public EncoderSpec {
        kind = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("linear") && !kind.equals("mlp")) {
            throw new IllegalArgumentException("--encoder must be linear or mlp, got '" + kind + "'");
        }
        hidden = hidden == null ? new int[0] : hidden.clone();
        if (kind.equals("linear")) {
            hidden = new int[0];
        } else if (hidden.length == 0) {
            throw new IllegalArgumentException("--hidden: an mlp encoder needs at least one hidden width");
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("--hidden widths must be >= 1, got " + Arrays.toString(hidden));
            }
        }
        if (embed < 1) {
            throw new IllegalArgumentException("--embed must be >= 1, got " + embed);
        }
    }

    /** The layer widths from {@code inputs} to the embedding. */
    int[] widths(int inputs) {
        int[] w = new int[hidden.length + 2];
        w[0] = inputs;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = embed;
        return w;
    }

    /** e.g. {@code mlp 1024 -> 256}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind);
        for (int h : hidden) {
            b.append(' ').append(h).append(" ->");
        }
        return b.append(' ').append(embed).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncoderSpec e && e.kind.equals(kind) && Arrays.equals(e.hidden, hidden) && e.embed == embed;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(hidden) * 7 + embed;
    }
}
