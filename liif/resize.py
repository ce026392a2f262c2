"""The two resize kernels of the project, one function each; every caller says which it uses.

* :func:`pil_bicubic`: Pillow's bicubic (antialiased when shrinking). The *display* kernel: the bicubic
  baseline shown and scored next to LIIF (``iqa``, the demo), and shrinking outputs back.
* :func:`imresize`: MATLAB-compatible bicubic (the SR literature's degradation). The *benchmark
  protocol* kernel: ``liif eval``, training pairs and the demo's reference tab.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:  # torch is imported by the MATLAB kernel only: the display kernel serves torch-free callers
    import torch

__all__ = ["pil_bicubic", "imresize"]


def pil_bicubic(array: np.ndarray, size: tuple[int, int],
                box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Pillow bicubic resize of an HxW or HxWxC array (uint8, or float32 per channel) to ``size`` = (width, height).

    ``box`` = (x0, y0, x1, y1) in input pixels resizes only that region (a zoom window).
    """
    size = (int(size[0]), int(size[1]))
    if box is None and (array.shape[1], array.shape[0]) == size:
        return array.copy()
    if array.dtype == np.uint8 and (array.ndim == 2 or array.shape[2] in (3, 4)):
        return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.BICUBIC, box=box))
    # Other types go channel by channel through Pillow's 32-bit float mode, so nothing is quantised.
    planes = array.astype(np.float32)
    planes = planes[..., None] if planes.ndim == 2 else planes
    out = np.dstack([np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c]), mode="F")
                                .resize(size, Image.Resampling.BICUBIC, box=box)) for c in range(planes.shape[2])])
    return out[..., 0] if array.ndim == 2 else out


def _cubic(x: torch.Tensor) -> torch.Tensor:
    # Keys' cubic convolution kernel with a = -0.5, MATLAB's "bicubic".
    ax = x.abs()
    ax2, ax3 = ax * ax, ax * ax * ax
    near = (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
    far = (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))
    return near + far


def _matlab_weights(n_in: int, n_out: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The (n_out, n_in) matrix of MATLAB's imresize along one axis: antialiased cubic, symmetric borders."""
    import torch

    scale = n_out / n_in
    widen = min(scale, 1.0)  # shrinking stretches the kernel by 1/scale (MATLAB's antialiasing)
    taps = math.ceil(4 / widen) + 2
    pos = (torch.arange(n_out, dtype=torch.float64) + 0.5) / scale - 0.5  # output centres in input pixels
    idx = (pos.floor() - taps // 2 + 1)[:, None] + torch.arange(taps, dtype=torch.float64)
    weights = _cubic((pos[:, None] - idx) * widen)
    weights = weights / weights.sum(dim=1, keepdim=True)
    # MATLAB pads by mirroring with the border pixel repeated: -1 -> 0, -2 -> 1, n -> n - 1.
    idx = idx.long()
    idx = torch.where(idx < 0, -idx - 1, idx)
    idx = torch.where(idx >= n_in, 2 * n_in - 1 - idx, idx).clamp(0, n_in - 1)
    matrix = torch.zeros(n_out, n_in, dtype=torch.float64).scatter_add_(1, idx, weights)
    return matrix.to(dtype=dtype, device=device)


def imresize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize a (B, C, H, W) float tensor to ``size`` = (h, w) like MATLAB's imresize (bicubic, antialiased)."""
    # No maintained library reproduces MATLAB's imresize (OpenCV and Pillow differ in kernel, antialiasing or
    # borders), and the benchmark's published numbers depend on it; this follows MATLAB's definition (the same
    # numbers as pyiqa's port, tested) so that the engine does not need the quality stack.
    import torch

    h, w = x.shape[-2:]
    out_h, out_w = int(size[0]), int(size[1])
    if (out_h, out_w) != (h, w):
        x = torch.einsum("oh,bchw->bcow", _matlab_weights(h, out_h, x.dtype, x.device), x) if out_h != h else x
        x = torch.einsum("pw,bchw->bchp", _matlab_weights(w, out_w, x.dtype, x.device), x) if out_w != w else x
    return x.contiguous()
