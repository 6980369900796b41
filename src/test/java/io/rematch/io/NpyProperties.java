package io.rematch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Round trips for every dtype and ranks 0..4, header alignment for arbitrary shapes, and header
 * parsing under reformatting. Shapes and dtypes come from QuickTheories; values come from a
 * {@link Random} seeded by a generated long, so a failure's printed inputs reproduce it.
 */
class NpyProperties {

    @TempDir
    Path dir;

    /** Rank 0..4, each dimension 0..4. */
    static Gen<int[]> shapes() {
        return Generate.intArrays(integers().between(0, 4), integers().between(0, 4));
    }

    /** Values that the dtype holds, including its edge values and, for floats, NaN, infinities and -0. */
    static double[] values(DType t, int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            switch (t) {
                case BOOL:
                    v[k] = r.nextInt(2);
                    break;
                case UINT8:
                    v[k] = r.nextInt(256);
                    break;
                case INT32:
                    v[k] = r.nextInt(5) == 0 ? (r.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE) : r.nextInt();
                    break;
                case INT64:
                    v[k] = r.nextInt(5) == 0 ? (r.nextBoolean() ? -1 : 1) * DType.MAX_EXACT_INT64
                            : (double) (r.nextLong() >> 11); // |v| < 2^52
                    break;
                case FLOAT32:
                case FLOAT64:
                    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                        t == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE,
                        t == DType.FLOAT32 ? Float.MIN_VALUE : Double.MIN_VALUE};
                    double x = r.nextInt(4) == 0 ? special[r.nextInt(special.length)]
                            : r.nextGaussian() * Math.pow(10, r.nextInt(21) - 10);
                    v[k] = t == DType.FLOAT32 ? (float) x : x;
                    break;
                default:
                    throw new AssertionError(t);
            }
        }
        return v;
    }

    static NpyArray array(DType t, int[] shape, long seed) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return NpyArray.of(shape, values(t, n, seed), t);
    }

    static NpyArray roundTrip(NpyArray a) {
        try {
            byte[] bytes = NpyTest.toBytes(a);
            ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            NpyArray back = Npy.read(in, "memory");
            assertEquals(0, in.available(), "the reader consumes exactly the array's bytes");
            return back;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyDtypeAndRankRoundTripsThroughBytes() {
        qt().withExamples(400)
                .forAll(Generate.enumValues(DType.class), shapes(), longs().all())
                .checkAssert((t, shape, seed) -> {
                    NpyArray a = array(t, shape, seed);
                    assertEquals(a, roundTrip(a));
                });
    }

    @Test
    void everyDtypeAndRankRoundTripsThroughFiles() {
        qt().withExamples(60)
                .forAll(Generate.enumValues(DType.class), shapes(), longs().all())
                .checkAssert((t, shape, seed) -> {
                    NpyArray a = array(t, shape, seed);
                    Path file = dir.resolve("a.npy");
                    try {
                        Npy.write(file, a);
                        assertEquals(a, Npy.read(file));
                        assertEquals(1, Files.list(dir).count(), "no temporary file left behind");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    @Test
    void dataStartsAtAMultipleOf64BytesForAnyShape() {
        // Up to 12 dimensions of up to 10 digits: the header text varies from ~60 to ~200 bytes.
        Gen<int[]> wideShapes = Generate.intArrays(integers().between(0, 12),
                integers().between(0, Integer.MAX_VALUE));
        qt().withExamples(500)
                .forAll(Generate.enumValues(DType.class), wideShapes)
                .checkAssert((t, shape) -> {
                    byte[] h = Npy.header(t, shape);
                    assertEquals(0, h.length % Npy.DATA_ALIGNMENT);
                    int headerLength = (h[8] & 0xff) | (h[9] & 0xff) << 8;
                    assertEquals(h.length, 10 + headerLength);
                    assertEquals('\n', h[h.length - 1]);
                    String text = new String(h, 10, headerLength, StandardCharsets.US_ASCII);
                    if (fitsOneArray(shape)) {
                        NpyHeader parsed = NpyHeader.parse(text, "h");
                        assertArrayEquals(shape, parsed.shape);
                        assertEquals(t, parsed.dtype);
                    } else {
                        NpyFormatException e = assertThrows(NpyFormatException.class,
                                () -> NpyHeader.parse(text, "h"));
                        assertTrue(e.getMessage().startsWith("h: size overflow: shape "
                                + NpyArray.shapeText(shape)), e.getMessage());
                    }
                });
    }

    private static boolean fitsOneArray(int[] shape) {
        if (Arrays.stream(shape).anyMatch(d -> d == 0)) {
            return true;
        }
        double product = 1;
        for (int d : shape) {
            product *= d;
        }
        return product <= NpyHeader.MAX_ELEMENTS;
    }

    /** The same header written with shuffled keys, random spacing, quotes and trailing commas. */
    @Test
    void headerParsingIgnoresFormatting() {
        qt().withExamples(300)
                .forAll(shapes(), longs().all())
                .checkAssert((shape, seed) -> {
                    Random r = new Random(seed);
                    List<String> entries = new ArrayList<>();
                    entries.add(q(r, "descr") + sp(r) + ":" + sp(r) + q(r, ">i4"));
                    entries.add(q(r, "fortran_order") + sp(r) + ":" + sp(r) + "False");
                    StringBuilder tuple = new StringBuilder("(" + sp(r));
                    for (int d = 0; d < shape.length; d++) {
                        tuple.append(d > 0 ? "," + sp(r) : "").append(shape[d]).append(r.nextBoolean() ? "L" : "");
                    }
                    if (shape.length == 1 || (shape.length > 1 && r.nextBoolean())) {
                        tuple.append(",");
                    }
                    entries.add(q(r, "shape") + sp(r) + ":" + sp(r) + tuple.append(sp(r)).append(")"));
                    Collections.shuffle(entries, r);
                    String header = sp(r) + "{" + sp(r) + String.join("," + sp(r), entries)
                            + (r.nextBoolean() ? "," + sp(r) : "") + "}" + sp(r) + "\n";

                    int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                    double[] expected = values(DType.INT32, n, seed);
                    ByteBuffer data = ByteBuffer.allocate(4 * n).order(ByteOrder.BIG_ENDIAN);
                    for (double v : expected) {
                        data.putInt((int) v);
                    }
                    NpyArray a = NpyTest.readBytes(NpyTest.npy(header, data.array()), "h");
                    assertArrayEquals(shape, a.shape(), header);
                    assertArrayEquals(expected, a.data(), 0.0, header);
                });
    }

    private static String q(Random r, String s) {
        char quote = r.nextBoolean() ? '\'' : '"';
        return quote + s + quote;
    }

    private static String sp(Random r) {
        String[] blanks = {"", "", " ", "  ", "\t", "\n", " \r\n "};
        return blanks[r.nextInt(blanks.length)];
    }
}
