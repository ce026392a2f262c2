"""Shared fixtures: paths to fixtures and datasets, tiny models, small real images."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # the oracle module
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
FIXTURES = TESTS / "fixtures" / "liif-official"
SHARED_FIXTURES = SHARED / "fixtures" / "liif-official"
LMF_FIXTURES = SHARED / "fixtures" / "lmf-official"
EVAL = SHARED / "datasets" / "eval"

# One thread: test processes share two cores with servers and browsers, and OpenMP spin-waits badly
# when oversubscribed (a 20 s suite took minutes).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model():
    """A tiny randomly initialised LIIF (seeded), fast enough for any test."""
    import liif

    torch.manual_seed(0)
    model = liif.build_model(liif.ModelConfig.tiny())
    with torch.no_grad():  # random MLPs are near-constant: scale them so outputs carry structure
        for lin in model.imnet.linears:
            lin.weight.mul_(3)
    return model.eval()


@pytest.fixture(scope="session")
def small_official_model():
    """The official-format small fixture (EDSR-baseline 16x3, MLP 64x4, all switches on)."""
    import liif

    return liif.load_official(FIXTURES / "edsr-baseline-liif-small-random.pth")


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """A real 96x80 uint8 RGB crop (Set5 butterfly when available, else a scikit-image photo)."""
    path = EVAL / "Set5" / "butterfly.png"
    if path.exists():
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"))[100:180, 60:156].copy()
    from skimage import data

    return data.astronaut()[100:180, 200:296].copy()


def eval_triplet(name: str, factor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(HR, LR, LR enlarged by bicubic) for a Set5/Set14 image; skips where the datasets are absent."""
    from PIL import Image

    from liif.resize import pil_bicubic

    path = next(EVAL.glob(f"*/{name}.png"), None)
    if path is None:
        pytest.skip(f"evaluation images not found under {EVAL}")
    hr = np.asarray(Image.open(path).convert("RGB"))
    hr = hr[: hr.shape[0] // factor * factor, : hr.shape[1] // factor * factor]
    lr = pil_bicubic(hr, (hr.shape[1] // factor, hr.shape[0] // factor))
    return hr, lr, pil_bicubic(lr, (hr.shape[1], hr.shape[0]))
