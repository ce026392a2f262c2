"""Iterative back-projection (Irani and Peleg, 1991): make the output, shrunk back, match the input.

Each pass adds the upsampled residual ``up(lr - down(sr))``, down and up being MATLAB's bicubic
(``liif.resize.imresize``), the degradation the benchmarks, and our training, use to make LR
images. It corrects what the model got wrong about the image's coarse content; on images shrunk
another way (a camera, JPEG) the residual holds that degradation too, which is why it is optional.
"""
from __future__ import annotations

import torch

from .resize import imresize


def back_project(sr: torch.Tensor, lr: torch.Tensor, iterations: int) -> torch.Tensor:
    """``sr`` (B, C, H, W) corrected ``iterations`` times towards ``lr`` (B, C, h, w); both in [0, 1]."""
    if iterations < 0:
        raise ValueError(f"back-projection iterations must be 0 or more, got {iterations}")
    lr = lr.to(sr.dtype)
    small, big = tuple(lr.shape[-2:]), tuple(sr.shape[-2:])
    for _ in range(iterations):
        sr = sr + imresize(lr - imresize(sr, small), big)
    return sr.clamp_(0, 1) if iterations else sr
