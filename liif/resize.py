"""MATLAB-compatible bicubic resizing (the SR literature's degradation), via pyiqa's implementation."""
from __future__ import annotations

import torch


def imresize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize a (B, C, H, W) float tensor to ``size`` = (h, w) like MATLAB's imresize (bicubic, antialiased)."""
    # pyiqa's package import is slow (it loads every architecture), so import the module lazily.
    from pyiqa.matlab_utils.resize import imresize as _imresize

    return _imresize(x.contiguous(), sizes=size)
