"""Full-reference scores against a ground-truth high-resolution image.

PSNR and SSIM on MATLAB ``rgb2ycbcr`` Y with a shaved border are the benchmark protocol's, so they
are ``liif.metrics``' (one implementation for ``liif eval`` and the report). LPIPS and DISTS go
through pyiqa when their weights are present (``iqa.nr``).
"""

from __future__ import annotations

from liif.metrics import psnr_y, rgb_to_y, ssim_y

__all__ = ["rgb_to_y", "psnr_y", "ssim_y"]
