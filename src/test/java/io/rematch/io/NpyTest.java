package io.rematch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading NumPy-written files (fixtures from {@code src/test/resources/io/make_fixtures.py} and
 * reference outputs of numpy 1.24.2), hand-built headers, every refusal with its message, and the
 * writer's byte layout and atomic replacement.
 */
class NpyTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    static byte[] resource(String name) {
        try (InputStream in = NpyTest.class.getResourceAsStream("/io/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /io/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NpyArray readBytes(byte[] bytes, String name) {
        try {
            return Npy.read(new ByteArrayInputStream(bytes), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NpyArray readResource(String name) {
        return readBytes(resource(name), name);
    }

    static byte[] toBytes(NpyArray a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Npy.write(out, a);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A file with the given version, header text (used verbatim) and data bytes. */
    static byte[] npy(int major, String header, byte[] data, boolean utf8) {
        byte[] text = header.getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer bb = ByteBuffer.allocate(8 + lengthBytes + text.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        bb.put(Npy.MAGIC).put((byte) major).put((byte) 0);
        if (lengthBytes == 2) {
            bb.putShort((short) text.length);
        } else {
            bb.putInt(text.length);
        }
        return bb.put(text).put(data).array();
    }

    static byte[] npy(String header, byte[] data) {
        return npy(1, header, data, false);
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer bb = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) {
            bb.putDouble(v);
        }
        return bb.array();
    }

    static NpyFormatException refused(byte[] bytes, String name) {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> readBytes(bytes, name));
        assertTrue(e.getMessage().startsWith(name + ": "), () -> "message names the source: " + e.getMessage());
        assertEquals(name, e.source());
        return e;
    }

    static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected <" + expected + "> in <" + actual + ">");
    }

    static double[] range(int n, java.util.function.IntToDoubleFunction f) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = f.applyAsDouble(k);
        }
        return v;
    }

    // ------------------------------------------------------- NumPy reference files

    @Test
    void readsReferenceScoreMatrixWrittenByNumpy124() {
        NpyArray a = readResource("reference/scores_N5.npy");
        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new int[] {5, 5}, a.shape());
        DMatrixRMaj m = a.toMatrix("scores");
        assertEquals(5, m.numRows);
        assertEquals(5, m.numCols);
        // First row as printed by numpy's tolist() (repr is the shortest round-tripping decimal).
        assertArrayEquals(new double[] {-0.30675266876338214, -0.6957800206592484, -0.3771409545409443,
            -0.5219869604594221, 0.0871146106720111}, java.util.Arrays.copyOf(m.data, 5), 0.0);
    }

    @Test
    void readsReferenceMaskStoredAsFloat64() {
        // np.load(...).dtype is float64: CCL's negative mask is saved as a float matrix.
        NpyArray a = readResource("reference/N5_tau0.1_log_ratio0.5__mask.npy");
        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new int[] {5, 5}, a.shape());
        int[] mask = a.toIntArray("mask");
        assertArrayEquals(new int[] {0, 1, 1, 0, 0}, java.util.Arrays.copyOf(mask, 5));
        for (int i = 0; i < 5; i++) {
            assertEquals(0, mask[i * 5 + i], "a pair is never its own negative");
            for (int j = 0; j < 5; j++) {
                assertTrue(mask[i * 5 + j] == 0 || mask[i * 5 + j] == 1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference/scores_N5.npy", "reference/N5_tau0.1_log_ratio0.5__mask.npy",
        "f8_rank4.npy", "f4_3d.npy", "i8_vector.npy", "i4_vector.npy", "u1_2x2.npy", "bool_5.npy",
        "scalar_f8.npy", "empty_0x3.npy"})
    void writingWhatWasReadReproducesNumpysBytes(String name) {
        byte[] original = resource(name);
        assertArrayEquals(original, toBytes(readBytes(original, name)));
    }

    // ------------------------------------------------------------ fixtures by dtype

    @Test
    void readsFloat64Rank4() {
        NpyArray a = readResource("f8_rank4.npy");
        assertEquals(DType.FLOAT64, a.dtype());
        assertArrayEquals(new int[] {2, 3, 4, 5}, a.shape());
        assertEquals(4, a.rank());
        assertArrayEquals(range(120, k -> k / 7.0), a.data(), 0.0);
    }

    @Test
    void readsFloat32ThreeDimensional() {
        NpyArray a = readResource("f4_3d.npy");
        assertEquals(DType.FLOAT32, a.dtype());
        assertArrayEquals(new int[] {2, 3, 4}, a.shape());
        assertArrayEquals(range(24, k -> k / 8.0 - 1), a.data(), 0.0);
    }

    @Test
    void readsInt64UpToTwoToThe53() {
        NpyArray a = readResource("i8_vector.npy");
        assertEquals(DType.INT64, a.dtype());
        assertArrayEquals(new double[] {-9007199254740992.0, -1, 0, 7, 9007199254740992.0}, a.toVector("v"), 0.0);
    }

    @Test
    void readsInt32Extremes() {
        NpyArray a = readResource("i4_vector.npy");
        assertEquals(DType.INT32, a.dtype());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, a.toIntArray("v"));
    }

    @Test
    void readsUint8AndBool() {
        NpyArray u = readResource("u1_2x2.npy");
        assertEquals(DType.UINT8, u.dtype());
        assertArrayEquals(new double[] {0, 1, 128, 255}, u.data(), 0.0);
        NpyArray b = readResource("bool_5.npy");
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new int[] {1, 0, 1, 1, 0}, b.toIntArray("b"));
    }

    @Test
    void boolBytesOtherThanOneReadAsTrue() {
        NpyArray b = readBytes(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n",
                new byte[] {0, 2, (byte) 0xff}), "hand.npy");
        assertArrayEquals(new double[] {0, 1, 1}, b.data(), 0.0);
    }

    @Test
    void readsScalarAndEmptyArrays() {
        NpyArray s = readResource("scalar_f8.npy");
        assertEquals(0, s.rank());
        assertArrayEquals(new int[0], s.shape());
        assertArrayEquals(new double[] {3.5}, s.data(), 0.0);
        NpyArray e = readResource("empty_0x3.npy");
        assertArrayEquals(new int[] {0, 3}, e.shape());
        assertEquals(0, e.size());
        DMatrixRMaj m = e.toMatrix("e");
        assertEquals(0, m.numRows);
        assertEquals(3, m.numCols);
    }

    // ---------------------------------------------------------------- big-endian

    @Test
    void readsBigEndianFilesWrittenByNumpy() {
        NpyArray f8 = readResource("be_f8_2x3.npy");
        assertEquals(DType.FLOAT64, f8.dtype());
        assertArrayEquals(range(6, k -> k * 0.25 - 0.5), f8.data(), 0.0);
        NpyArray f4 = readResource("be_f4_4.npy");
        assertEquals(DType.FLOAT32, f4.dtype());
        assertArrayEquals(new double[] {0.1f, -2.5f, 3e38f, 1e-40f}, f4.data(), 0.0);
        assertArrayEquals(new int[] {-2, -1, 0, Integer.MAX_VALUE}, readResource("be_i4_4.npy").toIntArray("v"));
        assertArrayEquals(new double[] {-9007199254740992.0, 1, 9007199254740992.0},
                readResource("be_i8_3.npy").data(), 0.0);
    }

    @Test
    void readsHandBuiltBigEndianFloat64() {
        double[] values = {1.5, -0.1, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, -0.0};
        NpyArray a = readBytes(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }\n",
                doubles(ByteOrder.BIG_ENDIAN, values)), "be.npy");
        assertArrayEquals(values, a.data(), 0.0);
        // and the same bytes read as little-endian would be different numbers:
        NpyArray le = readBytes(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n",
                doubles(ByteOrder.BIG_ENDIAN, values)), "le.npy");
        assertNotEquals(a, le);
    }

    @Test
    void readsNativeAndMissingByteOrderAsLittleEndian() {
        byte[] data = doubles(ByteOrder.LITTLE_ENDIAN, 2.25, -7);
        for (String descr : new String[] {"=f8", "f8"}) {
            NpyArray a = readBytes(npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,)}",
                    data), descr);
            assertArrayEquals(new double[] {2.25, -7}, a.data(), 0.0, descr);
        }
        NpyArray u = readBytes(npy("{'descr': '>u1', 'fortran_order': False, 'shape': (1,)}", new byte[] {9}), "u");
        assertEquals(NpyArray.of(new int[] {1}, new double[] {9}, DType.UINT8), u);
    }

    // -------------------------------------------------------- format versions

    @Test
    void readsVersion2And3FilesWrittenByNumpy() {
        for (String name : new String[] {"v2_f8.npy", "v3_f8.npy"}) {
            byte[] bytes = resource(name);
            assertEquals(name.charAt(1) - '0', bytes[6], "version byte of " + name);
            NpyArray a = readBytes(bytes, name);
            assertArrayEquals(new double[] {0, 1, 2}, a.toVector(name), 0.0);
        }
    }

    @Test
    void readsHandBuiltVersion2And3Headers() {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(3) + "\n";
        byte[] data = doubles(ByteOrder.LITTLE_ENDIAN, 0.5, 4);
        NpyArray v2 = readBytes(npy(2, header, data, false), "v2");
        assertArrayEquals(new double[] {0.5, 4}, v2.data(), 0.0);
        // 3.0 differs from 2.0 only in the header's encoding (UTF-8): pad with a non-ASCII space
        // so that decoding it as Latin-1 would leave two garbage characters.
        String utf8Header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\u2003\n";
        NpyArray v3 = readBytes(npy(3, utf8Header, data, true), "v3");
        assertArrayEquals(new double[] {0.5, 4}, v3.data(), 0.0);
    }

    @Test
    void readsLongHeaderOnlyVersion2CanHold() {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}" + " ".repeat(70_000) + "\n";
        NpyArray a = readBytes(npy(2, header, doubles(ByteOrder.LITTLE_ENDIAN, 3), false), "long");
        assertArrayEquals(new double[] {3}, a.data(), 0.0);
    }

    // ------------------------------------------------------ header robustness

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
        "{'shape': (2, 3), 'descr': '<f8', 'fortran_order': False}",
        "{ 'fortran_order' : False , 'shape' : ( 2 , 3 ) , 'descr' : '<f8' , }",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3,)}",
        "{'descr':'<f8','fortran_order':False,'shape':(2,3)}\n",
        "\t{'descr': '<f8',\n 'fortran_order': False,\r\n 'shape': (2L, 3L), }" + "          \n",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3]}",
    })
    void parsesHeaderVariants(String header) {
        NpyArray a = readBytes(npy(header, doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)), "variant");
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data(), 0.0);
    }

    @Test
    void parsesOneElementAndEmptyShapeTuples() {
        NpyArray v = readBytes(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 8)), "v");
        assertArrayEquals(new int[] {1}, v.shape());
        NpyArray s = readBytes(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 8)), "s");
        assertArrayEquals(new int[0], s.shape());
        assertEquals(8.0, s.data()[0]);
    }

    // ------------------------------------------------------------- refusals

    @Test
    void refusesBadMagic() {
        assertContains("not a .npy file: bad magic; expected \\x93NUMPY, found PK\\x03\\x04\\x14\\x00",
                refused(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0}, "archive.npz").getMessage());
        assertContains("found an empty file", refused(new byte[0], "empty.npy").getMessage());
        assertContains("bad magic", refused("\u0093NUMP".getBytes(StandardCharsets.ISO_8859_1), "short.npy")
                .getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0400, 0x0101, 0x0000, 0x0200 + 1})
    void refusesUnsupportedVersions(int version) {
        byte[] bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
                doubles(ByteOrder.LITTLE_ENDIAN, 1));
        bytes[6] = (byte) (version >> 8);
        bytes[7] = (byte) version;
        String expected = "unsupported .npy format version " + (version >> 8) + "." + (version & 0xff)
                + "; this reader supports 1.0, 2.0 and 3.0";
        assertContains(expected, refused(bytes, "future.npy").getMessage());
    }

    @Test
    void refusesFortranOrder() {
        assertContains("fortran_order=True is not supported; save with np.save(path, np.ascontiguousarray(a))",
                refused(resource("fortran_2x3.npy"), "fortran_2x3.npy").getMessage());
    }

    @Test
    void refusesPickledObjectArrays() {
        assertContains("dtype '|O': object arrays (pickled) are not supported",
                refused(resource("object.npy"), "object.npy").getMessage());
    }

    @Test
    void refusesUnknownDtypes() {
        assertContains("unsupported dtype '<c16'; supported: <f8 <f4 <i8 <i4 |u1 |b1",
                refused(resource("complex.npy"), "complex.npy").getMessage());
        assertContains("unsupported dtype '<U2'", refused(resource("unicode.npy"), "unicode.npy").getMessage());
        assertContains("structured dtypes (descr [[a, <f8], [b, <i4]]) are not supported",
                refused(resource("structured.npy"), "structured.npy").getMessage());
        for (String descr : new String[] {"<f2", "<i2", "<u4", "<f16", "", "<", "f", "<fx"}) {
            assertContains("unsupported dtype '" + descr + "'", refused(npy("{'descr': '" + descr
                    + "', 'fortran_order': False, 'shape': (1,)}", new byte[16]), "d.npy").getMessage());
        }
        assertContains("dtype '|f8' has no byte order", refused(npy(
                "{'descr': '|f8', 'fortran_order': False, 'shape': (1,)}", new byte[8]), "d.npy").getMessage());
    }

    @Test
    void refusesTruncatedDataFromFilesAndStreams() throws IOException {
        byte[] whole = resource("be_f8_2x3.npy");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        String expected = "truncated data: expected 48 bytes of data for shape (2, 3) >f8, found 45";
        assertContains(expected, refused(cut, "cut.npy").getMessage());
        Path file = dir.resolve("cut.npy");
        Files.write(file, cut);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(file));
        assertEquals(file + ": " + expected, e.getMessage());
        // A header that claims far more than the file holds fails before allocating it all.
        byte[] lying = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 10000), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 1, 2));
        assertContains("expected 8000000000 bytes of data for shape (100000, 10000) <f8, found 16",
                refused(lying, "lying.npy").getMessage());
    }

    @Test
    void refusesTruncatedHeaders() {
        byte[] whole = resource("scalar_f8.npy");
        assertContains("inside the version field",
                refused(java.util.Arrays.copyOf(whole, 7), "t.npy").getMessage());
        assertContains("inside the 2-byte header length",
                refused(java.util.Arrays.copyOf(whole, 9), "t.npy").getMessage());
        assertContains("truncated header: expected 118 bytes of header, found 20",
                refused(java.util.Arrays.copyOf(whole, 30), "t.npy").getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}|expected ',' or '}' after the value of 'descr'",
        "{'descr' '<f8', 'fortran_order': False, 'shape': (1,)}|expected ':' after key 'descr'",
        "{'descr': '<f8', 'fortran_order': false, 'shape': (1,)}|unknown name 'false'",
        "{'descr': '<f8', 'fortran_order': False}|the header has no 'shape' key",
        "{'descr': '<f8', 'shape': (1,)}|the header has no 'fortran_order' key",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}|unexpected header keys [extra]",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}|'fortran_order' must be True or False, got 0",
        "{'descr': '<f8', 'fortran_order': False, 'shape': 1}|'shape' must be a tuple of integers, got 1",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}|expected ',' or ')' in (...)",
        "{'descr': '<f8', 'fortran_order': False, 'shape': ('1',)}|got element 1",
        "{'descr': 8, 'fortran_order': False, 'shape': (1,)}|'descr' must be a dtype string",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk|unexpected text after the dict",
        "{'descr': '<f8', 'fortran_order': False, 'descr': '<f8', 'shape': (1,)}|duplicate key 'descr'",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,|unexpected end of header",
        "{'descr': '<f8|unterminated string",
        "['descr', '<f8']|the header is not a dict",
        "|unexpected end of header",
        "{1: 2}|dict keys must be strings",
    })
    void refusesMalformedHeaders(String headerAndMessage) {
        String header = headerAndMessage.substring(0, headerAndMessage.lastIndexOf('|'));
        String expected = headerAndMessage.substring(headerAndMessage.lastIndexOf('|') + 1);
        String message = refused(npy(header, new byte[8]), "bad.npy").getMessage();
        assertContains("malformed header: ", message);
        assertContains(expected, message);
    }

    @Test
    void refusesHeaderLengthBeyondOneMebibyte() {
        byte[] bytes = npy(2, "{}", new byte[0], false);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
        assertContains("malformed header: it claims 2147483647 bytes", refused(bytes, "huge.npy").getMessage());
    }

    @Test
    void refusesNegativeDimensions() {
        assertContains("negative dimension -3 in shape (2, -3)", refused(npy(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3)}", new byte[0]), "neg.npy")
                .getMessage());
    }

    @Test
    void refusesSizesThatDoNotFitAJavaArray() {
        assertContains("size overflow: shape (100000, 100000) has 10000000000 elements; at most 2147483639",
                refused(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000)}", new byte[0]),
                        "big.npy").getMessage());
        assertContains("size overflow: shape (4294967296, 4294967296) has more than 2^63 elements",
                refused(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                        new byte[0]), "big.npy").getMessage());
        assertContains("size overflow: shape (100000000000000000000000000000,)",
                refused(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (10" + "0".repeat(28) + ",)}",
                        new byte[0]), "big.npy").getMessage());
        // A zero dimension makes the size 0, but the other dimension must still fit an int.
        assertContains("dimension 4294967296 of shape (0, 4294967296) does not fit a Java int",
                refused(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4294967296)}", new byte[0]),
                        "big.npy").getMessage());
    }

    @Test
    void refusesInt64BeyondTwoToThe53() {
        assertContains("int64 value 9007199254740993 at flat index 1 exceeds 2^53 in magnitude",
                refused(resource("i8_beyond_2p53.npy"), "i8_beyond_2p53.npy").getMessage());
        ByteBuffer bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE);
        assertContains("int64 value -9223372036854775808 at flat index 0", refused(npy(
                "{'descr': '<i8', 'fortran_order': False, 'shape': ()}", bb.array()), "min.npy").getMessage());
    }

    // ------------------------------------------------------------------ writing

    @Test
    void writesNumpyLayoutWithDataAlignedTo64Bytes() throws IOException {
        Path file = dir.resolve("m.npy");
        DMatrixRMaj m = new DMatrixRMaj(new double[][] {{1, 2, 3}, {4, 5, 6}});
        Npy.writeMatrix(file, m);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        int dataOffset = 10 + headerLength;
        assertEquals(0, dataOffset % 64);
        assertEquals(128, dataOffset);
        assertEquals(dataOffset + 6 * 8, bytes.length);
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
        assertEquals('\n', header.charAt(header.length() - 1));
        assertArrayEquals(m.data, Npy.read(file).toMatrix("m").data, 0.0);
    }

    @Test
    void headersOfEveryLengthAreAlignedAndPaddedLikeNumpy() {
        // Shapes whose first dimension has 1..10 digits move the text across the 64-byte boundary.
        for (DType t : DType.values()) {
            for (int digits = 1; digits <= 10; digits++) {
                int first = (int) Math.min(Integer.MAX_VALUE, (long) Math.pow(10, digits - 1));
                for (int[] shape : new int[][] {{}, {first}, {first, 2}, {first, 1, 1, 1, 1, 1, 1, 1, 1}}) {
                    byte[] h = Npy.header(t, shape);
                    assertEquals(0, h.length % 64, () -> java.util.Arrays.toString(shape));
                    assertEquals('\n', h[h.length - 1]);
                    assertEquals(' ', h[h.length - 2], "numpy always pads with at least one space");
                    NpyHeader parsed = NpyHeader.parse(new String(h, 10, h.length - 10,
                            StandardCharsets.US_ASCII), "h");
                    assertArrayEquals(shape, parsed.shape);
                    assertEquals(t, parsed.dtype);
                }
            }
        }
    }

    @Test
    void writesVersion2WhenTheHeaderExceeds65535Bytes() throws IOException {
        int[] shape = new int[25_000];
        java.util.Arrays.fill(shape, 1);
        NpyArray a = NpyArray.of(shape, new double[] {42}, DType.FLOAT64);
        byte[] bytes = toBytes(a);
        assertEquals(2, bytes[6]);
        int headerLength = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(0, (12 + headerLength) % 64);
        assertEquals(a, readBytes(bytes, "v2"));
    }

    @Test
    void writesEveryDtypeLittleEndianWithNumpysDescr() throws IOException {
        double[] v = {0, 1, 1, 0};
        String[] descr = {"|b1", "|u1", "<i4", "<i8", "<f4", "<f8"};
        for (DType t : DType.values()) {
            NpyArray a = NpyArray.of(new int[] {2, 2}, v, t);
            Path file = dir.resolve(t + ".npy");
            Npy.write(file, a);
            byte[] bytes = Files.readAllBytes(file);
            String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);
            assertTrue(header.startsWith("{'descr': '" + descr[t.ordinal()] + "',"), header);
            assertEquals(128 + 4 * t.itemSize(), bytes.length);
            assertEquals(a, Npy.read(file));
        }
        // Multi-byte values really are little-endian.
        byte[] i4 = toBytes(NpyArray.of(new int[] {1}, new double[] {0x01020304}, DType.INT32));
        assertArrayEquals(new byte[] {4, 3, 2, 1}, java.util.Arrays.copyOfRange(i4, 128, 132));
    }

    @Test
    void atomicWriteLeavesOnlyTheTargetAndReplacesIt() throws IOException {
        Path file = dir.resolve("scores.npy");
        Npy.write(file, NpyArray.vector(new double[] {1, 2}));
        Npy.write(file, NpyArray.vector(new double[] {3, 4, 5}));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.collect(Collectors.toList()));
        }
        assertArrayEquals(new double[] {3, 4, 5}, Npy.read(file).toVector("scores"), 0.0);
    }

    @Test
    void failedWriteRemovesItsTemporaryFile() throws IOException {
        // The target is a non-empty directory: the final rename must fail.
        Path target = dir.resolve("taken.npy");
        Files.createDirectory(target);
        Files.write(target.resolve("keep"), new byte[] {1});
        assertThrows(IOException.class, () -> Npy.write(target, NpyArray.scalar(1)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.collect(Collectors.toList()));
        }
        assertTrue(Files.exists(target.resolve("keep")));
        // A missing directory fails before anything is created.
        assertThrows(IOException.class, () -> Npy.write(dir.resolve("no/such/dir/x.npy"), NpyArray.scalar(1)));
    }

    @Test
    void writtenFileHasOrdinaryPermissionsNotTempFileOnes() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX only");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("w.npy");
        Npy.write(written, NpyArray.scalar(2));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
    }

    @Test
    void refusesMissingArguments() {
        assertThrows(IllegalArgumentException.class, () -> Npy.write((Path) null, NpyArray.scalar(1)));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("x.npy"), null));
        assertThrows(IllegalArgumentException.class, () -> Npy.read((Path) null));
    }
}
