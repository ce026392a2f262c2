"""Geometric self-ensemble: render the flipped/transposed input, undo the transform, average.

The 8 symmetries of the square (EDSR's "x8 self-ensemble"); 4 uses the flips only and 2 the
horizontal mirror, for a cheaper share of the gain. Each transform maps an output window of the
original frame to a window of the transformed frame, so zoom windows work too.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

ENSEMBLE_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class Transform:
    """Transpose (swap H and W) first, then flip rows and/or columns."""

    transpose: bool = False
    flip_rows: bool = False
    flip_cols: bool = False

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """The transformed (..., H, W) tensor."""
        if self.transpose:
            x = x.transpose(-2, -1)
        dims = [d for d, f in ((-2, self.flip_rows), (-1, self.flip_cols)) if f]
        return x.flip(dims) if dims else x

    def undo(self, y: torch.Tensor) -> torch.Tensor:
        """Back to the original frame (the inverse of ``apply``)."""
        dims = [d for d, f in ((-2, self.flip_rows), (-1, self.flip_cols)) if f]
        if dims:
            y = y.flip(dims)
        return y.transpose(-2, -1) if self.transpose else y

    def size(self, h: int, w: int) -> tuple[int, int]:
        """(H, W) of an h x w image in the transformed frame."""
        return (w, h) if self.transpose else (h, w)

    def window(self, out_h: int, out_w: int, rows: tuple[int, int], cols: tuple[int, int]
               ) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (rows, cols) window of the transformed frame that holds the original frame's window."""
        if self.transpose:
            rows, cols, out_h, out_w = cols, rows, out_w, out_h
        if self.flip_rows:
            rows = (out_h - rows[1], out_h - rows[0])
        if self.flip_cols:
            cols = (out_w - cols[1], out_w - cols[0])
        return rows, cols


def transforms(n: int) -> list[Transform]:
    """The first ``n`` transforms: 1 = identity, 2 = + mirror, 4 = all flips, 8 = flips and transposes."""
    if n not in ENSEMBLE_SIZES:
        raise ValueError(f"the self-ensemble size must be one of {', '.join(map(str, ENSEMBLE_SIZES))}, got {n!r}")
    flips = [(False, False), (False, True), (True, False), (True, True)]
    every = [Transform(t, fr, fc) for t in (False, True) for fr, fc in flips]
    return every[:n]
