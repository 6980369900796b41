package io.rematch.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Reads and writes NumPy {@code .npy} files (format specification: {@code numpy/lib/format.py}).
 *
 * <p>A file is the magic {@code \x93NUMPY}, a version byte pair, a little-endian header length
 * (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), an ASCII (1.0, 2.0) or UTF-8 (3.0) Python dict
 * giving {@code descr}, {@code fortran_order} and {@code shape}, and then the raw elements.
 *
 * <p><b>Reading</b> accepts versions 1.0, 2.0 and 3.0, C order only, and the dtypes
 * {@code <f8 >f8 <f4 >f4 <i8 >i8 <i4 >i4 |u1 |b1} ({@code =} and a missing byte-order character
 * are read as little-endian; one-byte types accept any byte-order character). Bytes after the data
 * are ignored, as {@code numpy.load} does. Problems are reported as {@link NpyFormatException}
 * naming the file.
 *
 * <p><b>Writing</b> produces what {@code numpy.save} 1.24 produces for the same array, byte for
 * byte: version 1.0 (2.0 only if the header would exceed 65535 bytes), little-endian, the header
 * padded with spaces and a newline so that the data starts at a multiple of 64 bytes. Files are
 * replaced atomically, so a reader (or a crash) never sees half a file.
 */
public final class Npy {

    /** The six magic bytes every {@code .npy} file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The data starts at a multiple of this many bytes (NumPy's ARRAY_ALIGN), for memory mapping. */
    public static final int DATA_ALIGNMENT = 64;

    /** Headers longer than this are refused: NumPy's own are tens of bytes. */
    static final long MAX_HEADER_BYTES = 1 << 20;

    /** Elements converted per buffer refill. */
    private static final int CHUNK = 8192;

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @throws NpyFormatException naming the file if it is not a readable {@code .npy} file
     * @throws IOException        if the file cannot be opened or read
     */
    public static NpyArray read(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return read(in, path.toString(), Files.size(path));
        }
    }

    /**
     * Reads one {@code .npy} array from a stream, leaving the stream open and positioned after the
     * array's data.
     *
     * @param sourceName how error messages name the stream (a file or resource name)
     * @throws NpyFormatException naming {@code sourceName} if the bytes are not a readable array
     * @throws IOException        if reading the stream fails
     */
    public static NpyArray read(InputStream in, String sourceName) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in is missing");
        }
        return read(in, sourceName, -1);
    }

    /**
     * The shape of the array in a {@code .npy} file, from its header alone (no data is read): to
     * say how much memory an input needs before reading it.
     *
     * @throws NpyFormatException naming the file if its header is not a readable {@code .npy} header
     * @throws IOException        if the file cannot be opened or read
     */
    public static int[] shape(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 12)) {
            return readHeader(in, path.toString()).header.shape.clone();
        }
    }

    /**
     * The element type of the array in a {@code .npy} file, from its header alone.
     *
     * @throws NpyFormatException naming the file if its header is not a readable {@code .npy} header
     * @throws IOException        if the file cannot be opened or read
     */
    public static DType dtype(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 12)) {
            return readHeader(in, path.toString()).header.dtype;
        }
    }

    /**
     * A {@code float32} array read straight into {@code float}s, without the {@code double} copy
     * {@link #read(Path)} makes: feature matrices stay half the size in memory.
     *
     * @param shape receives the array's shape: pass an {@code int[1][]}
     * @throws NpyFormatException naming the file if it is not a readable float32 {@code .npy} file
     * @throws IOException        if the file cannot be opened or read
     */
    public static float[] readFloat32(Path path, int[][] shape) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            String source = path.toString();
            Header h = readHeader(in, source);
            NpyHeader header = h.header;
            if (header.dtype != DType.FLOAT32) {
                throw new NpyFormatException(source, "expected a float32 array, found " + header.descr);
            }
            long needed = (long) header.size * 4;
            long available = Files.size(path) - h.dataOffset;
            if (available < needed) {
                throw truncated(source, header, needed, Math.max(0, available));
            }
            float[] out = new float[header.size];
            byte[] buf = new byte[CHUNK * 4];
            ByteBuffer bb = ByteBuffer.wrap(buf).order(header.order);
            for (int done = 0; done < header.size; done += CHUNK) {
                int n = Math.min(CHUNK, header.size - done);
                int got = in.readNBytes(buf, 0, n * 4);
                if (got < n * 4) {
                    throw truncated(source, header, needed, (long) done * 4 + got);
                }
                for (int k = 0; k < n; k++) {
                    out[done + k] = bb.getFloat(k * 4);
                }
            }
            shape[0] = header.shape.clone();
            return out;
        }
    }

    /** A parsed header and the offset of the data that follows it. */
    private record Header(NpyHeader header, long dataOffset) {
    }

    /** {@code totalBytes}: the file size when known (-1 otherwise), to reject lying headers early. */
    private static NpyArray read(InputStream in, String source, long totalBytes) throws IOException {
        Header h = readHeader(in, source);
        NpyHeader header = h.header;
        long needed = (long) header.size * header.dtype.itemSize();
        if (totalBytes >= 0 && totalBytes - h.dataOffset < needed) {
            throw truncated(source, header, needed, Math.max(0, totalBytes - h.dataOffset));
        }
        double[] data = decode(in, header, source);
        return NpyArray.wrap(header.shape, data, header.dtype);
    }

    private static Header readHeader(InputStream in, String source) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (prefix.length < MAGIC.length || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new NpyFormatException(source, "not a .npy file: bad magic; expected \\x93NUMPY, found "
                    + (prefix.length == 0 ? "an empty file" : printable(prefix, Math.min(prefix.length, 6))));
        }
        if (prefix.length < MAGIC.length + 2) {
            throw new NpyFormatException(source, "truncated header: the file ends after "
                    + prefix.length + " bytes, inside the version field");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (minor != 0 || major < 1 || major > 3) {
            throw new NpyFormatException(source, "unsupported .npy format version " + major + "." + minor
                    + "; this reader supports 1.0, 2.0 and 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new NpyFormatException(source, "truncated header: the file ends inside the "
                    + lengthBytes + "-byte header length of format " + major + ".0");
        }
        long headerLength = 0;
        for (int b = lengthBytes - 1; b >= 0; b--) {
            headerLength = (headerLength << 8) | (lengthField[b] & 0xff);
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(source, "malformed header: it claims " + headerLength
                    + " bytes; at most " + MAX_HEADER_BYTES + " are accepted");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new NpyFormatException(source, "truncated header: expected " + headerLength
                    + " bytes of header, found " + headerBytes.length);
        }
        String text = new String(headerBytes,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, source);
        return new Header(header, MAGIC.length + 2 + lengthBytes + headerLength);
    }

    /** Reads {@code header.size} elements; the output array grows as data arrives. */
    private static double[] decode(InputStream in, NpyHeader header, String source) throws IOException {
        DType dtype = header.dtype;
        int item = dtype.itemSize();
        byte[] buf = new byte[CHUNK * item];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(header.order);
        // A header can claim any size up to 2^31 elements: allocate as the bytes really arrive.
        double[] out = new double[Math.min(header.size, 1 << 16)];
        int done = 0;
        while (done < header.size) {
            int n = Math.min(CHUNK, header.size - done);
            int got = in.readNBytes(buf, 0, n * item);
            if (got < n * item) {
                throw truncated(source, header, (long) header.size * item, (long) done * item + got);
            }
            if (out.length < done + n) {
                out = Arrays.copyOf(out, (int) Math.min(header.size, Math.max(done + n, 2L * out.length)));
            }
            switch (dtype) {
                case FLOAT64:
                    for (int k = 0; k < n; k++) {
                        out[done + k] = bb.getDouble(k * 8);
                    }
                    break;
                case FLOAT32:
                    for (int k = 0; k < n; k++) {
                        out[done + k] = bb.getFloat(k * 4);
                    }
                    break;
                case INT64:
                    for (int k = 0; k < n; k++) {
                        long v = bb.getLong(k * 8);
                        if (v > (1L << 53) || v < -(1L << 53)) {
                            throw new NpyFormatException(source, "int64 value " + v + " at flat index "
                                    + (done + k) + " exceeds 2^53 in magnitude and cannot be held exactly"
                                    + " as a double; convert the array in NumPy first (e.g. astype(np.float64)"
                                    + " if rounding is acceptable)");
                        }
                        out[done + k] = v;
                    }
                    break;
                case INT32:
                    for (int k = 0; k < n; k++) {
                        out[done + k] = bb.getInt(k * 4);
                    }
                    break;
                case UINT8:
                    for (int k = 0; k < n; k++) {
                        out[done + k] = buf[k] & 0xff;
                    }
                    break;
                case BOOL:
                    for (int k = 0; k < n; k++) {
                        out[done + k] = buf[k] != 0 ? 1 : 0;
                    }
                    break;
                default:
                    throw new AssertionError(dtype);
            }
            done += n;
        }
        return out;
    }

    private static NpyFormatException truncated(String source, NpyHeader header, long needed, long found) {
        return new NpyFormatException(source, "truncated data: expected " + needed
                + " bytes of data for shape " + NpyArray.shapeText(header.shape) + " " + header.descr
                + ", found " + found);
    }

    private static String printable(byte[] bytes, int n) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            int b = bytes[k] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    /**
     * Writes {@code array} to {@code path} atomically, in the array's dtype (float64 for arrays made
     * by {@link NpyArray#of(DMatrixRMaj)} and {@link NpyArray#vector(double[])}).
     *
     * <p>The bytes go to a temporary file in the same directory, are forced to disk, and the file
     * is then renamed over {@code path} ({@code ATOMIC_MOVE}; a plain replacing move only where the
     * file system cannot rename atomically). On failure the temporary file is deleted and any
     * existing {@code path} is left as it was. A {@code path} that is a symbolic link is written
     * through: the file it points to is replaced, the link stays.
     *
     * @throws IOException with a message that names what is wrong about {@code path} (a missing
     *                     directory, a directory given as the file, no permission), never the
     *                     temporary file
     */
    public static void write(Path path, NpyArray array) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        if (array == null) {
            throw new IllegalArgumentException("array is missing");
        }
        writeAtomically(path, out -> write(out, array));
    }

    /** A writer of a file's bytes, for {@link #writeAtomically}. */
    private interface ByteWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code shape} float32 values as a {@code float32} array, atomically as
     * {@link #write(Path, NpyArray)} does, without a {@code double} copy of the data (for feature
     * matrices of hundreds of megabytes).
     *
     * @throws IllegalArgumentException if {@code data.length} is not the product of {@code shape}
     * @throws IOException              as {@link #write(Path, NpyArray)}
     */
    public static void writeFloat32(Path path, int[] shape, float[] data) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path is missing");
        }
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        if (data == null || size != data.length) {
            throw new IllegalArgumentException("data must have " + size + " entries for shape "
                    + NpyArray.shapeText(shape) + ", got " + (data == null ? "none" : data.length));
        }
        writeAtomically(path, out -> {
            out.write(header(DType.FLOAT32, shape));
            byte[] buf = new byte[CHUNK * 4];
            ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < data.length; done += CHUNK) {
                int n = Math.min(CHUNK, data.length - done);
                for (int k = 0; k < n; k++) {
                    bb.putFloat(k * 4, data[done + k]);
                }
                out.write(buf, 0, n * 4);
            }
        });
    }

    /** Temporary sibling, forced to disk, renamed over the target; see {@link #write(Path, NpyArray)}. */
    private static void writeAtomically(Path path, ByteWriter writer) throws IOException {
        Path target = throughLinks(path.toAbsolutePath());
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IllegalArgumentException("path must name a file, got " + path);
        }
        if (Files.isDirectory(target)) {
            throw new IOException("it is a directory; give a file name");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(Files.exists(dir) ? dir + " is not a directory" : "the directory " + dir + " does not exist");
        }
        Path tmp;
        try {
            tmp = createSibling(dir, target.getFileName().toString());
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("permission denied: cannot create files in " + dir, e);
        } catch (IOException e) {
            throw new IOException("cannot create a file in " + dir + ": " + e.getMessage(), e);
        }
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    // the original failure is the one to report
                }
            }
        }
    }

    /**
     * The file a path finally names: a symbolic link is followed (to its target, existing or
     * not), as NumPy's {@code open(path, "wb")} does, so that writing through a link replaces the
     * file it points to and keeps the link. At most 40 links, as the kernel allows.
     */
    private static Path throughLinks(Path target) throws IOException {
        Path p = target;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new IOException("too many levels of symbolic links");
            }
            Path link = Files.readSymbolicLink(p);
            p = (p.getParent() == null ? link : p.getParent().resolve(link)).normalize();
        }
        return p;
    }

    /**
     * A new empty file {@code .NAME.RANDOM.tmp} next to the target. Created with the default
     * permissions (not {@code Files.createTempFile}'s owner-only ones), so the final file gets
     * the same permissions any newly written file would.
     */
    private static Path createSibling(Path dir, String name) throws IOException {
        while (true) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    /** Writes {@code m} as a float64 {@code (numRows, numCols)} array; see {@link #write(Path, NpyArray)}. */
    public static void writeMatrix(Path path, DMatrixRMaj m) throws IOException {
        write(path, NpyArray.of(m));
    }

    /**
     * Writes {@code array} in {@code .npy} format to a stream (not closed): the header as
     * {@link #header(DType, int[])} gives it, then the elements little-endian in C order.
     */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out is missing");
        }
        if (array == null) {
            throw new IllegalArgumentException("array is missing");
        }
        DType dtype = array.dtype();
        out.write(header(dtype, array.shape()));
        double[] data = array.dataView();
        int item = dtype.itemSize();
        byte[] buf = new byte[CHUNK * item];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < data.length; done += CHUNK) {
            int n = Math.min(CHUNK, data.length - done);
            for (int k = 0; k < n; k++) {
                double v = data[done + k];
                switch (dtype) {
                    case FLOAT64:
                        bb.putDouble(k * 8, v);
                        break;
                    case FLOAT32:
                        bb.putFloat(k * 4, (float) v);
                        break;
                    case INT64:
                        bb.putLong(k * 8, (long) v);
                        break;
                    case INT32:
                        bb.putInt(k * 4, (int) v);
                        break;
                    case UINT8:
                    case BOOL:
                        buf[k] = (byte) (int) v;
                        break;
                    default:
                        throw new AssertionError(dtype);
                }
            }
            out.write(buf, 0, n * item);
        }
    }

    /**
     * The complete header {@code numpy.save} writes for this dtype and shape: magic, version,
     * length, dict, spaces and a final newline, {@code header.length % 64 == 0}. NumPy always adds
     * at least one space of padding (64 when the text alone would end on the boundary).
     */
    static byte[] header(DType dtype, int[] shape) {
        byte[] dict = NpyHeader.format(dtype, shape).getBytes(StandardCharsets.US_ASCII);
        int textLength = dict.length + 1; // the newline
        int lengthBytes = 2;
        int pad = DATA_ALIGNMENT - (MAGIC.length + 2 + lengthBytes + textLength) % DATA_ALIGNMENT;
        if (textLength + pad > 0xffff) {
            lengthBytes = 4; // version 2.0, as numpy.save falls back to
            pad = DATA_ALIGNMENT - (MAGIC.length + 2 + lengthBytes + textLength) % DATA_ALIGNMENT;
        }
        int headerLength = textLength + pad;
        ByteBuffer bb = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (lengthBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lengthBytes == 2) {
            bb.putShort((short) headerLength);
        } else {
            bb.putInt(headerLength);
        }
        bb.put(dict);
        for (int k = 0; k < pad; k++) {
            bb.put((byte) ' ');
        }
        bb.put((byte) '\n');
        return bb.array();
    }
}
