"""LM-LIIF: every official LMF fixture case is reproduced to 1e-4, by the model and by the engine."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import LMF_FIXTURES

import liif
from liif import render_kernel
from liif.models import make_coord

NAMES = ["lmliif-small-random", "edsr-baseline-lmliif-random"]


def _cases():
    for name in NAMES:
        spec = LMF_FIXTURES / f"{name}.json"
        if not spec.exists():
            absent = pytest.mark.skip(reason=f"{LMF_FIXTURES} is absent (CI has ../shared)")
            yield pytest.param(name, None, marks=absent)
            continue
        for case in json.loads(spec.read_text())["cases"]:
            yield pytest.param(name, case, id=f"{name}-{case['key']}")


def _load(name: str):
    return liif.load_official(LMF_FIXTURES / f"{name}.pth"), np.load(LMF_FIXTURES / f"{name}.npz")


def _cell_factor(case: dict, in_h: int) -> float:
    """The official demo's cell enlargement, max(scale / 4, 1) with scale = out_h / in_h."""
    return max(case["out_h"] / in_h / 4, 1.0)


@pytest.mark.parametrize("name,case", _cases())
def test_model_reproduces_official_raw_output(name, case):
    model, data = _load(name)
    assert isinstance(model, liif.LMLIIF)
    h, w = case["out_h"], case["out_w"]
    inp = torch.from_numpy(data["input_uint8"]).permute(2, 0, 1).float().div(255).sub(0.5).div(0.5)[None]
    coord = make_coord((h, w))[None]
    factor = _cell_factor(case, inp.shape[-2])
    assert f"* {factor:g}" in case["cell"]  # the fixture states the factor it used
    cell = (torch.tensor([2 / h, 2 / w]) * factor).expand(1, h * w, 2)
    with torch.no_grad():
        raw = model(inp, coord, cell)[0].numpy()
    np.testing.assert_allclose(raw, data[case["key"]], atol=1e-4, rtol=0)


@pytest.mark.parametrize("name,case", _cases())
@pytest.mark.parametrize("kernel", ["fused", "torch"])
def test_engine_reproduces_official_output(name, case, kernel):
    """The engine (tiled, chunked; the fused kernel and the PyTorch fallback) gives the official pixels."""
    model, data = _load(name)
    h, w = case["out_h"], case["out_w"]
    if kernel == "fused" and not render_kernel.AVAILABLE:
        pytest.skip("numba is not installed: the fused kernel is unavailable")
    up = liif.Upscaler(model, config=liif.EngineConfig(device="cpu", tile=24, chunk=5000, render_kernel=kernel))
    assert (up.fused_render is not None) == (kernel == "fused")
    out = up.render(data["input_uint8"].astype(np.float32) / 255, h, w)
    expected = np.clip(data[case["key"]].reshape(h, w, 3) * 0.5 + 0.5, 0, 1)
    np.testing.assert_allclose(out, expected, atol=1e-4, rtol=0)


@pytest.mark.parametrize("name,case", _cases())
def test_engine_window_reproduces_official_output(name, case):
    """A zoom window is the same pixels as the full output at the same place."""
    model, data = _load(name)
    h, w = case["out_h"], case["out_w"]
    up = liif.Upscaler(model, config=liif.EngineConfig(device="cpu", tile=16))
    rows, cols = (h // 3, h // 3 + 17), (w // 2, w // 2 + 23)
    out = up.render(data["input_uint8"].astype(np.float32) / 255, h, w, rows=rows, cols=cols)
    expected = np.clip(data[case["key"]].reshape(h, w, 3) * 0.5 + 0.5, 0, 1)[rows[0]:rows[1], cols[0]:cols[1]]
    np.testing.assert_allclose(out, expected, atol=1e-4, rtol=0)
