"""Writes the small .npy fixtures that NpyTest reads (run once; the tests never call Python).

    cd src/test/resources/io && python3 make_fixtures.py

Generated with numpy 2.x (its .npy writer emits the same bytes as numpy 1.24 for these arrays;
NpyTest checks the header layout of the reference files written by numpy 1.24.2).
Values are chosen so that Java can recompute them exactly (small integers, k/8, k/7.0).
"""
import numpy as np

def save(name, a, **kw):
    np.save(name, a, **kw)

# Plain little-endian arrays of every supported dtype.
save("f8_rank4.npy", np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) / 7.0)
save("f4_3d.npy", (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / np.float32(8) - np.float32(1)))
save("i8_vector.npy", np.array([-(2**53), -1, 0, 7, 2**53], dtype=np.int64))
save("i4_vector.npy", np.array([-2147483648, -1, 0, 2147483647], dtype=np.int32))
save("u1_2x2.npy", np.array([[0, 1], [128, 255]], dtype=np.uint8))
save("bool_5.npy", np.array([True, False, True, True, False]))
save("scalar_f8.npy", np.float64(3.5))
save("empty_0x3.npy", np.zeros((0, 3)))

# Big-endian arrays: same values as the formulas in NpyTest.
save("be_f8_2x3.npy", (np.arange(6, dtype=np.float64).reshape(2, 3) * 0.25 - 0.5).astype(">f8"))
save("be_f4_4.npy", np.array([0.1, -2.5, 3e38, 1e-40], dtype=">f4"))
save("be_i4_4.npy", np.array([-2, -1, 0, 2147483647], dtype=">i4"))
save("be_i8_3.npy", np.array([-(2**53), 1, 2**53], dtype=">i8"))

# Format versions 2.0 and 3.0 (4-byte header length).
with open("v2_f8.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(3, dtype=np.float64), version=(2, 0))
with open("v3_f8.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(3, dtype=np.float64), version=(3, 0))

# Files the reader must refuse with a clear message.
save("i8_beyond_2p53.npy", np.array([1, 2**53 + 1], dtype=np.int64))
save("fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
save("complex.npy", np.array([1 + 2j]))
save("structured.npy", np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
save("unicode.npy", np.array(["ab", "c"]))
