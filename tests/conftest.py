"""Shared fixtures: paths to fixtures and datasets, tiny models, small real images, and the demo served
with a tiny random model (test_app_api.py, test_app_browser.py)."""
from __future__ import annotations

import importlib
import os
import socket
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
    model = liif.create_model(liif.ModelConfig.tiny())
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
    """A real 96x80 uint8 RGB crop with detail everywhere (Set5 butterfly when available, else the astronaut's hair).

    Tests render its top-left corner with random models and compare renders: on a flat patch (the
    astronaut's cheek, the fallback until issue 28) a random model's clipped output does not change.
    The hair has the wing's texture: mean luma gradient 14.5 grey levels per pixel (butterfly 14.6).
    """
    path = EVAL / "Set5" / "butterfly.png"
    if path.exists():
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"))[100:180, 60:156].copy()
    from skimage import data

    return data.astronaut()[32:112, 192:288].copy()


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Round and clip to 8-bit, as an image editor saves an altered picture."""
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def astronaut_pair() -> tuple[np.ndarray, np.ndarray]:
    """(a 256x256 crop of scikit-image's astronaut: face, suit and badge, its x4 input by PIL bicubic)."""
    from skimage import data

    from liif.resize import pil_bicubic

    hr = np.ascontiguousarray(data.astronaut()[0:256, 128:384])
    return hr, pil_bicubic(hr, (64, 64))


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


# ----- the demo ------------------------------------------------------------------------------------
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

APP_CHOICE = "tiny.safetensors (models folder)"
UPLOAD_CAP_MB = 2  # small, so that the test of the upload cap sends little


def load_app_module():
    """``import app`` (the repository root is on sys.path: pyproject's pytest ``pythonpath``)."""
    if str(REPO) not in sys.path:  # run as a script: python tests/test_app_browser.py
        sys.path.insert(0, str(REPO))
    return importlib.import_module("app")


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    """A models folder holding a tiny random LIIF checkpoint; LIIF_MODELS_DIR points at it."""
    import torch

    import liif

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    liif.save_checkpoint(liif.create_model(liif.ModelConfig.tiny()), folder / "tiny.safetensors")
    saved = {k: os.environ.get(k) for k in ("LIIF_MODELS_DIR", "LIIF_MAX_UPLOAD_MB")}
    os.environ["LIIF_MODELS_DIR"] = str(folder)
    os.environ["LIIF_MAX_UPLOAD_MB"] = str(UPLOAD_CAP_MB)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def tiny_checkpoint(models_dir):
    """Path of the tiny random checkpoint."""
    return str(models_dir / "tiny.safetensors")


@pytest.fixture(scope="session")
def app_module(models_dir):
    """The app module, imported after the environment points at the tiny model."""
    return load_app_module()


@pytest.fixture(scope="module")
def launch_app(app_module):
    """The demo, served on a free localhost port; yields its URL."""
    demo = app_module.build_demo(default_model=APP_CHOICE)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app_module.LAUNCH_OPTIONS)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def client_for(url: str):
    """A gradio_client for the served demo."""
    from gradio_client import Client

    return Client(url, verbose=False)
