"""Small ICC profiles written by the tests: Display P3 and Adobe RGB (matrix-shaper, v2) and a CMYK one (lut16).

Pillow ships only LittleCMS's built-in sRGB, Lab and XYZ profiles, and the tests must not depend on files a
system may lack, so the profiles real files carry are written here from their published definitions:
primaries, white point and tone curve (Display P3: DCI-P3 primaries, D65, the sRGB curve; Adobe RGB (1998):
its primaries, D65, gamma 563/256). The expected colours in the tests come from the same definitions by plain
matrix arithmetic (:func:`to_srgb8`), not from LittleCMS.
"""
from __future__ import annotations

import struct

import numpy as np

D50 = np.array([0.9642, 1.0, 0.8249])
D65_XY = (0.3127, 0.3290)
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
PRIMARIES = {  # (red, green, blue) chromaticities, all with a D65 white
    "sRGB": ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06)),
    "Display P3": ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)),
    "Adobe RGB (1998)": ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)),
}
ADOBE_GAMMA = 563 / 256  # Adobe RGB (1998)'s exact curve, as its u8Fixed8 gamma stores it


def _xyz(xy: tuple[float, float]) -> np.ndarray:
    x, y = xy
    return np.array([x / y, 1.0, (1 - x - y) / y])


def rgb_to_xyz(name: str) -> np.ndarray:
    """The 3x3 matrix from linear RGB to XYZ (D65) of a space in ``PRIMARIES``."""
    prim = np.stack([_xyz(p) for p in PRIMARIES[name]], axis=1)
    return prim * np.linalg.solve(prim, _xyz(D65_XY))


def _adapt_to_d50() -> np.ndarray:
    src, dst = BRADFORD @ _xyz(D65_XY), BRADFORD @ D50
    return np.linalg.inv(BRADFORD) @ np.diag(dst / src) @ BRADFORD


def decode(values: np.ndarray, name: str) -> np.ndarray:
    """Encoded [0, 1] values -> linear light, with the space's tone curve."""
    if name == "Adobe RGB (1998)":
        return values ** ADOBE_GAMMA
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def encode_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light -> sRGB-encoded [0, 1] values (clipped to the gamut)."""
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def to_srgb8(rgb8: np.ndarray, name: str) -> np.ndarray:
    """8-bit colours of space ``name`` -> the 8-bit sRGB colours that show the same, by matrix arithmetic."""
    lin = decode(np.asarray(rgb8, float) / 255, name)
    srgb_lin = lin @ (np.linalg.solve(rgb_to_xyz("sRGB"), rgb_to_xyz(name))).T
    return np.rint(encode_srgb(srgb_lin) * 255).astype(np.uint8)


# ----- writing the bytes (ICC.1:2001-04, version 2.1) ---------------------------------------------------
def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz_tag(xyz: np.ndarray) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in xyz)


def _desc(text: str) -> bytes:
    ascii_ = text.encode() + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0\0\0" + b"\0" * 67


def _text(text: str) -> bytes:
    return b"text\0\0\0\0" + text.encode() + b"\0"


def _assemble(device_class: bytes, space: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + device_class + space + b"XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + b"".join(_s15(v) for v in D50)
              + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def rgb_profile(name: str) -> bytes:
    """A v2 matrix-shaper display profile of a space in ``PRIMARIES`` (colorants adapted to D50 by Bradford)."""
    colorants = _adapt_to_d50() @ rgb_to_xyz(name)
    if name == "Adobe RGB (1998)":
        curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233)  # gamma 563/256 in u8Fixed8
    else:  # the sRGB curve as a parametric curve (function type 3)
        params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
        curve = b"para\0\0\0\0" + struct.pack(">HH", 3, 0) + b"".join(_s15(v) for v in params)
    tags = [(b"desc", _desc(name)), (b"cprt", _text("No copyright, test profile")), (b"wtpt", _xyz_tag(D50)),
            (b"rXYZ", _xyz_tag(colorants[:, 0])), (b"gXYZ", _xyz_tag(colorants[:, 1])),
            (b"bXYZ", _xyz_tag(colorants[:, 2])), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    return _assemble(b"mntr", b"RGB ", tags)


def cmyk_profile() -> bytes:
    """A CMYK profile whose inks multiply linear light: sRGB-linear R = (1 - C)(1 - K), G = (1 - M)(1 - K), ...

    It differs from Pillow's profile-less CMYK conversion, which multiplies encoded values. A lut16 with 17
    grid points per ink: LittleCMS interpolates CMY tetrahedrally, which bends the products between the
    points by at most (1/16)^2/4 of full scale.
    """
    to_d50 = _adapt_to_d50() @ rgb_to_xyz("sRGB")
    g = 17
    c, m, y, k = np.meshgrid(*[np.linspace(0, 1, g)] * 4, indexing="ij")  # C varies slowest, as lut16 orders it
    lin = np.stack([(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)], -1).reshape(-1, 3)
    grid = np.clip(np.rint(lin @ to_d50.T * 32768), 0, 65535).astype(">u2")  # lut16 XYZ: 1.0 = 0x8000
    ramp = struct.pack(">2H", 0, 65535)  # identity input and output curves, two entries each
    lut = (b"mft2\0\0\0\0" + bytes([4, 3, g, 0]) + b"".join(_s15(v) for v in np.eye(3).ravel())
           + struct.pack(">HH", 2, 2) + ramp * 4 + grid.tobytes() + ramp * 3)
    tags = [(b"desc", _desc("Test CMYK (multiplicative inks)")), (b"cprt", _text("No copyright, test profile")),
            (b"wtpt", _xyz_tag(D50)), (b"A2B0", lut)]
    return _assemble(b"prtr", b"CMYK", tags)


def cmyk_to_srgb8(cmyk8: np.ndarray) -> np.ndarray:
    """8-bit CMYK -> the 8-bit sRGB that :func:`cmyk_profile` defines, by plain arithmetic."""
    c, m, y, k = (np.asarray(cmyk8, float)[..., i] / 255 for i in range(4))
    lin = np.stack([(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)], -1)
    return np.rint(encode_srgb(lin) * 255).astype(np.uint8)
