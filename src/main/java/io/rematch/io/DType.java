package io.rematch.io;

/**
 * The element types that {@link Npy} reads and writes, with their NumPy type codes.
 *
 * <p>Every value is held as a {@code double} in {@link NpyArray}; the dtype records how it is
 * stored in the file and limits which values an array of that dtype may hold, so that writing and
 * reading back gives the same numbers. Doubles represent every value of these types exactly except
 * int64 beyond &plusmn;2<sup>53</sup>, which this library refuses instead of rounding.
 */
public enum DType {
    /** NumPy {@code bool} ({@code |b1}): one byte, values 0 and 1. */
    BOOL('b', 1),
    /** NumPy {@code uint8} ({@code |u1}): one byte, values 0..255 (image masks, labels). */
    UINT8('u', 1),
    /** NumPy {@code int32} ({@code <i4}). */
    INT32('i', 4),
    /** NumPy {@code int64} ({@code <i8}), limited to &plusmn;2<sup>53</sup>: see {@link #MAX_EXACT_INT64}. */
    INT64('i', 8),
    /** NumPy {@code float32} ({@code <f4}): values are rounded to float precision on the way in. */
    FLOAT32('f', 4),
    /** NumPy {@code float64} ({@code <f8}), the default: holds any {@code double}. */
    FLOAT64('f', 8);

    /**
     * Largest int64 magnitude held: 2<sup>53</sup>. Above it consecutive integers are no longer
     * all representable as doubles, so a larger value could not be read back unchanged.
     */
    public static final double MAX_EXACT_INT64 = 9007199254740992.0;

    private final char kind;
    private final int itemSize;

    DType(char kind, int itemSize) {
        this.kind = kind;
        this.itemSize = itemSize;
    }

    /** Bytes per element in the file. */
    public int itemSize() {
        return itemSize;
    }

    /** NumPy kind character: {@code b} bool, {@code u} unsigned, {@code i} signed, {@code f} float. */
    public char kind() {
        return kind;
    }

    /** True for the integer-valued dtypes (everything except FLOAT32 and FLOAT64). */
    public boolean isIntegral() {
        return kind != 'f';
    }

    /**
     * The {@code descr} string {@link Npy} writes: little-endian ({@code <}) for multi-byte types,
     * {@code |} (not applicable) for the one-byte types, as {@code numpy.save} does.
     */
    public String descr() {
        return (itemSize == 1 ? "|" : "<") + kind + itemSize;
    }

    /** The dtype with this kind and item size, or {@code null} if this library has none. */
    static DType of(char kind, int itemSize) {
        for (DType t : values()) {
            if (t.kind == kind && t.itemSize == itemSize) {
                return t;
            }
        }
        return null;
    }

    /**
     * Returns {@code v} as this dtype stores it: float32 rounds to the nearest float, the other
     * dtypes return {@code v} unchanged. Only meaningful once {@link #problem(double)} said yes.
     */
    double coerce(double v) {
        return this == FLOAT32 ? (double) (float) v : v;
    }

    /**
     * Why {@code v} cannot be stored as this dtype, or {@code null} if it can. Floats accept
     * NaN and infinities (files may hold them); float32 rejects finite values that overflow it.
     */
    String problem(double v) {
        switch (this) {
            case FLOAT64:
                return null;
            case FLOAT32:
                return Double.isFinite(v) && Float.isInfinite((float) v)
                        ? "overflows float32 (largest finite value is " + Float.MAX_VALUE + ")" : null;
            case BOOL:
                return v == 0 || v == 1 ? null : "is not a bool value (expected 0 or 1)";
            case UINT8:
                return isInteger(v) && v >= 0 && v <= 255 ? null
                        : "is not a uint8 value (expected an integer in [0, 255])";
            case INT32:
                return isInteger(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? null
                        : "is not an int32 value (expected an integer in [" + Integer.MIN_VALUE + ", "
                                + Integer.MAX_VALUE + "])";
            case INT64:
                return isInteger(v) && Math.abs(v) <= MAX_EXACT_INT64 ? null
                        : "is not an int64 value this library holds (expected an integer in [-2^53, 2^53],"
                                + " the range a double represents exactly)";
            default:
                throw new AssertionError(this);
        }
    }

    private static boolean isInteger(double v) {
        return Double.isFinite(v) && v == Math.rint(v);
    }
}
