#!/usr/bin/env python3
"""Writes the NumPy-made .npz fixtures that the dev.bptt.npz Java tests read.

Run from anywhere:  /usr/bin/python3 make_fixtures.py
The files land next to this script. Every value is derived from np.arange or a
literal so the Java tests can recompute it exactly. Re-running rewrites the
archives; only zip timestamps may differ.
"""
import os
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def float64_fixture():
    # np.savez: STORED entries, '<f8', C order; names with dots; ranks 0..3.
    np.savez(
        out("float64.npz"),
        scalar=np.array(2.5),
        vec=np.arange(5.0),
        **{"readout.weight": np.arange(12.0).reshape(3, 4) / 8.0},
        cube=np.arange(24.0).reshape(2, 3, 4) - 12.0,
        empty=np.zeros((0, 3)),
        special=np.array([
            -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            -1.7976931348623157e308, np.inf, -np.inf, 0.1,
        ]),
    )


def float32_fixture():
    np.savez(
        out("float32.npz"),
        w=np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(3),
        tiny=np.array([1e-45, -0.0, 3.4028235e38], dtype=np.float32),
    )


def compressed_fixture():
    np.savez_compressed(
        out("compressed.npz"),
        **{"layer.0.bias": np.arange(100.0) * 0.25},
        m=np.arange(12, dtype=np.float32).reshape(3, 4),
    )


def fortran_fixture():
    c3 = np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))
    c2 = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert not c3.flags.c_contiguous and not c2.flags.c_contiguous
    np.savez(out("fortran.npz"), f3=c3, f2=c2)


def big_endian_fixture():
    np.savez(
        out("bigendian.npz"),
        d=np.arange(6.0).reshape(2, 3).astype(">f8"),
        s=(np.arange(4, dtype=np.float32) - 1.5).astype(">f4"),
    )


def versions_fixture():
    # One entry per .npy header version, written by NumPy's own writer.
    with zipfile.ZipFile(out("versions.npz"), "w") as zf:
        for version in [(1, 0), (2, 0), (3, 0)]:
            name = "v%d.npy" % version[0]
            with zf.open(name, "w") as f:
                np.lib.format.write_array(
                    f, np.arange(4.0) + version[0], version=version)


def layout_fixture():
    # A rank-16 header whose NumPy spare room pushes the preamble from 128 to 192
    # bytes: the Java writer must reproduce these entry bytes exactly.
    np.savez(out("layout.npz"), deep=np.arange(2.0).reshape((1,) * 15 + (2,)))


def unsupported_fixtures():
    np.savez(out("int64.npz"), steps=np.arange(3))
    np.savez(out("object.npz"), things=np.array([None, "x"], dtype=object))


if __name__ == "__main__":
    float64_fixture()
    float32_fixture()
    compressed_fixture()
    fortran_fixture()
    big_endian_fixture()
    versions_fixture()
    layout_fixture()
    unsupported_fixtures()
    print("numpy", np.__version__, "wrote fixtures to", HERE)
