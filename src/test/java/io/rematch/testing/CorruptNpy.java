package io.rematch.testing;

import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * {@code .npy} files that a reader must refuse, each with the phrase its error message contains.
 * The Fortran-order and pickled files are real {@code numpy.save} output (test resources made by
 * {@code make_fixtures.py}); the others are cut from or replace a valid 3 x 3 float64 file.
 */
public enum CorruptNpy {
    /** The data stops 5 bytes short of 3 x 3 doubles. */
    TRUNCATED_DATA("truncated data"),
    /** The file stops inside the header dict. */
    TRUNCATED_HEADER("truncated header"),
    /** Not a .npy file at all. */
    BAD_MAGIC("bad magic"),
    /** An empty file. */
    EMPTY("bad magic"),
    /** {@code np.asfortranarray(...)} saved as is. */
    FORTRAN_ORDER("fortran_order=True is not supported"),
    /** {@code np.array([1, "a", None], dtype=object)}. */
    PICKLED_OBJECTS("object arrays (pickled) are not supported");

    /** A phrase the reader's message contains for this file. */
    public final String expected;

    CorruptNpy(String expected) {
        this.expected = expected;
    }

    /** The file's bytes. */
    public byte[] bytes() {
        byte[] valid = valid3x3();
        switch (this) {
            case TRUNCATED_DATA:
                return Arrays.copyOf(valid, valid.length - 5);
            case TRUNCATED_HEADER:
                return Arrays.copyOf(valid, 30);
            case BAD_MAGIC:
                return "this is a text file, not numpy".getBytes(StandardCharsets.US_ASCII);
            case EMPTY:
                return new byte[0];
            case FORTRAN_ORDER:
                return resource("fortran_2x3.npy");
            default:
                return resource("object.npy");
        }
    }

    private static byte[] valid3x3() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Npy.write(out, NpyArray.of(new DMatrixRMaj(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}})));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = CorruptNpy.class.getResourceAsStream("/io/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /io/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
