"""Training data: random HR crops, random scale, bicubic LR, sampled query pixels (the paper's recipe)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .imageio import IMAGE_SUFFIXES, load_rgb_array
from .resize import imresize


def find_images(folders: list[str | Path]) -> list[Path]:
    """Every image file (recursively) under the given folders or files, sorted."""
    files: list[Path] = []
    for folder in folders:
        p = Path(folder)
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files += [f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES]
        else:
            raise FileNotFoundError(f"training data not found: {p}")
    if not files:
        raise FileNotFoundError(f"no images in {', '.join(map(str, folders))}")
    return sorted(files)


@dataclass
class Batch:
    """One training batch, normalised to [-1, 1] as the official code does."""

    inp: torch.Tensor  # (B, 3, h, w)
    coord: torch.Tensor  # (B, Q, 2)
    cell: torch.Tensor  # (B, Q, 2)
    gt: torch.Tensor  # (B, Q, 3)


class PatchSampler:
    """Draws batches from images held in memory (small sets such as "291" fit easily)."""

    def __init__(self, files: list[Path], patch: int, scale_min: float, scale_max: float, sample_q: int,
                 augment: bool = True,
                 degrade: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None) -> None:
        self.images = [load_rgb_array(f) for f in files]
        self.min_sides = np.array([min(im.shape[:2]) for im in self.images])
        self.patch, self.scale_min, self.scale_max = patch, scale_min, scale_max
        self.sample_q, self.augment = sample_q, augment
        self.degrade = degrade  # applied to each 8-bit LR patch (liif.degrade); the target stays clean
        if self.min_sides.max() < round(patch * scale_min):
            raise ValueError(f"every training image is smaller than a {round(patch * scale_min)} px crop")

    def sample(self, batch_size: int, rng: np.random.Generator, device: torch.device | str = "cpu") -> Batch:
        """A batch of ``batch_size`` patches on ``device``; all randomness comes from ``rng``."""
        # One scale per batch keeps the HR crops the same size so they resize as one tensor.
        scale = rng.uniform(self.scale_min, self.scale_max)
        hr_size = round(self.patch * scale)
        big_enough = np.flatnonzero(self.min_sides >= hr_size)
        if big_enough.size == 0:
            hr_size = int(self.min_sides.max())
            big_enough = np.flatnonzero(self.min_sides >= hr_size)
        crops = []
        for i in rng.choice(big_enough, size=batch_size):
            im = self.images[i]
            y = rng.integers(0, im.shape[0] - hr_size + 1)
            x = rng.integers(0, im.shape[1] - hr_size + 1)
            crop = im[y:y + hr_size, x:x + hr_size]
            if self.augment:
                if rng.random() < 0.5:
                    crop = crop[:, ::-1]
                if rng.random() < 0.5:
                    crop = crop[::-1]
                if rng.random() < 0.5:
                    crop = crop.transpose(1, 0, 2)
            crops.append(np.ascontiguousarray(crop))
        # Only the uint8 crops cross to the device: on a GPU the bicubic resize would otherwise bound the step.
        hr = torch.from_numpy(np.stack(crops)).to(device).permute(0, 3, 1, 2).float().div_(255)
        lr = imresize(hr, (self.patch, self.patch)).clamp_(0, 1)
        if self.degrade is not None:  # real inputs are 8-bit: quantise, degrade each patch, back to [0, 1]
            patches = lr.mul(255).round_().byte().permute(0, 2, 3, 1).cpu().numpy()
            degraded = np.stack([self.degrade(np.ascontiguousarray(x), rng) for x in patches])
            lr = torch.from_numpy(degraded).to(device).permute(0, 3, 1, 2).float().div_(255)
        n_pix = hr_size * hr_size
        q = min(self.sample_q, n_pix)
        picks = torch.from_numpy(np.stack([rng.choice(n_pix, size=q, replace=False) for _ in range(batch_size)]))
        picks = picks.to(device)
        centres = -1 + (2 * torch.arange(hr_size, device=device).float() + 1) / hr_size
        coord = torch.stack([centres[picks // hr_size], centres[picks % hr_size]], dim=-1)
        rgb = hr.flatten(2).transpose(1, 2)  # (B, n_pix, 3)
        gt = torch.gather(rgb, 1, picks.unsqueeze(-1).expand(-1, -1, 3))
        cell = torch.full((batch_size, q, 2), 2 / hr_size, device=device)
        return Batch(inp=(lr - 0.5) / 0.5, coord=coord, cell=cell, gt=(gt - 0.5) / 0.5)
