package io.rematch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Construction rules, conversions and their messages. */
class NpyArrayTest {

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void ofChecksShapeAgainstData() {
        assertEquals("shape (2, 3) holds 6 elements but data has 5",
                message(() -> NpyArray.of(new int[] {2, 3}, new double[5], DType.FLOAT64)));
        assertEquals("shape[1] is -1 in shape (2, -1); dimensions must be >= 0",
                message(() -> NpyArray.of(new int[] {2, -1}, new double[0], DType.FLOAT64)));
        assertEquals("shape (65536, 65536, 65536) holds more than 2^31-1 elements but data has 1",
                message(() -> NpyArray.of(new int[] {65536, 65536, 65536}, new double[1], DType.FLOAT64)));
        assertEquals(0, NpyArray.of(new int[] {65536, 65536, 65536, 0}, new double[0], DType.FLOAT64).size());
        assertTrue(message(() -> NpyArray.of(null, new double[1], DType.FLOAT64)).startsWith("shape is missing"));
        assertTrue(message(() -> NpyArray.of(new int[0], null, DType.FLOAT64)).startsWith("data is missing"));
        assertTrue(message(() -> NpyArray.of(new int[0], new double[1], null)).startsWith("dtype is missing"));
    }

    @Test
    void ofChecksValuesFitTheDtype() {
        assertEquals("data[1] = 2.5 is not an int32 value (expected an integer in [-2147483648, 2147483647])",
                message(() -> NpyArray.of(new int[] {2}, new double[] {1, 2.5}, DType.INT32)));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {2147483648.0}, DType.INT32))
                .startsWith("data[0] = 2.147483648E9 is not an int32 value"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {9007199254740994.0}, DType.INT64))
                .contains("[-2^53, 2^53]"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {Double.NaN}, DType.INT64))
                .startsWith("data[0] = NaN is not an int64 value"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {256}, DType.UINT8))
                .contains("[0, 255]"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {-1}, DType.UINT8))
                .startsWith("data[0] = -1.0 is not a uint8 value"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {2}, DType.BOOL))
                .contains("expected 0 or 1"));
        assertTrue(message(() -> NpyArray.of(new int[] {1}, new double[] {1e300}, DType.FLOAT32))
                .startsWith("data[0] = 1.0E300 overflows float32"));
        // Accepted edge values.
        NpyArray.of(new int[] {2}, new double[] {-9007199254740992.0, 9007199254740992.0}, DType.INT64);
        NpyArray.of(new int[] {3}, new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0}, DType.FLOAT32);
    }

    @Test
    void float32ValuesAreRoundedOnConstruction() {
        NpyArray a = NpyArray.of(new int[] {2}, new double[] {0.1, 1.0 / 3}, DType.FLOAT32);
        assertArrayEquals(new double[] {0.1f, 1.0f / 3}, a.data(), 0.0);
        assertNotEquals(0.1, a.data()[0]);
    }

    @Test
    void factoriesCopyTheirInputAndAccessorsReturnCopies() {
        DMatrixRMaj m = new DMatrixRMaj(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        NpyArray a = NpyArray.of(m);
        m.set(0, 0, 99);
        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new int[] {3, 2}, a.shape());
        a.shape()[0] = 7;
        a.data()[0] = 7;
        a.toMatrix("a").set(0, 0, 7);
        assertArrayEquals(new int[] {3, 2}, a.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data(), 0.0);

        double[] v = {1, 2};
        NpyArray b = NpyArray.vector(v);
        v[0] = 5;
        assertArrayEquals(new double[] {1, 2}, b.toVector("b"), 0.0);
        int[] shape = {2};
        NpyArray c = NpyArray.of(shape, v, DType.FLOAT64);
        shape[0] = 1;
        assertArrayEquals(new int[] {2}, c.shape());
    }

    @Test
    void ofMatrixUsesOnlyTheLiveEntriesOfAReshapedMatrix() {
        DMatrixRMaj m = new DMatrixRMaj(4, 4);
        m.reshape(1, 2); // data keeps its 16 slots
        m.set(0, 1, 3);
        NpyArray a = NpyArray.of(m);
        assertEquals(2, a.size());
        assertArrayEquals(new double[] {0, 3}, a.data(), 0.0);
    }

    @Test
    void toMatrixRequiresRankTwo() {
        assertEquals("sims must be a 2-D array (rows, cols), got shape (5,) <f8",
                message(() -> NpyArray.vector(new double[5]).toMatrix("sims")));
        assertEquals("sims must be a 2-D array (rows, cols), got shape () <f8",
                message(() -> NpyArray.scalar(1).toMatrix("sims")));
        DMatrixRMaj m = NpyArray.of(new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6}, DType.INT32).toMatrix("m");
        assertEquals(3.0, m.get(0, 2));
        assertEquals(4.0, m.get(1, 0));
    }

    @Test
    void toVectorRequiresRankOne() {
        assertEquals("weights must be a 1-D array (n,), got shape (1, 2) <i8",
                message(() -> NpyArray.of(new int[] {1, 2}, new double[2], DType.INT64).toVector("weights")));
    }

    @Test
    void toIntArrayRequiresIntegerValues() {
        assertArrayEquals(new int[] {3, -1, 0},
                NpyArray.of(new int[] {3}, new double[] {3, -1, 0}, DType.FLOAT64).toIntArray("r"));
        assertEquals("ranks[1] = 2.5 is not an integer in the int range; expected integer-valued entries"
                        + " (<f8 array of shape (3,))",
                message(() -> NpyArray.vector(new double[] {1, 2.5, 3}).toIntArray("ranks")));
        assertTrue(message(() -> NpyArray.vector(new double[] {Double.NaN}).toIntArray("r")).startsWith("r[0] = NaN"));
        assertTrue(message(() -> NpyArray.vector(new double[] {1e10}).toIntArray("r")).startsWith("r[0] = 1.0E10"));
    }

    @Test
    void asConvertsBetweenDtypesWhenValuesFit() {
        NpyArray f = NpyArray.vector(new double[] {1, 0, 255});
        assertSame(f, f.as(DType.FLOAT64));
        assertEquals(DType.UINT8, f.as(DType.UINT8).dtype());
        assertArrayEquals(f.data(), f.as(DType.UINT8).data(), 0.0);
        assertTrue(message(() -> f.as(DType.BOOL)).startsWith("data[2] = 255.0 is not a bool value"));
    }

    @Test
    void equalityIsBitwiseOnValuesAndIncludesDtypeAndShape() {
        NpyArray a = NpyArray.vector(new double[] {Double.NaN, 1});
        assertEquals(a, NpyArray.vector(new double[] {Double.NaN, 1}));
        assertEquals(a.hashCode(), NpyArray.vector(new double[] {Double.NaN, 1}).hashCode());
        assertNotEquals(NpyArray.vector(new double[] {0.0}), NpyArray.vector(new double[] {-0.0}));
        assertNotEquals(NpyArray.vector(new double[] {1}), NpyArray.of(new int[] {1}, new double[] {1}, DType.INT32));
        assertNotEquals(NpyArray.vector(new double[] {1}), NpyArray.scalar(1));
        assertEquals("NpyArray(<f4, shape (2, 1))",
                NpyArray.of(new int[] {2, 1}, new double[2], DType.FLOAT32).toString());
    }

    @Test
    void shapeTextFollowsPythonTuples() {
        assertEquals("()", NpyArray.shapeText(new int[0]));
        assertEquals("(5,)", NpyArray.shapeText(new int[] {5}));
        assertEquals("(3, 4, 0)", NpyArray.shapeText(new int[] {3, 4, 0}));
    }
}
