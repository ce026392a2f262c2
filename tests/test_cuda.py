"""The CUDA paths against the CPU: exact renders, tiling, self-ensemble, half precision and training.

These run where a CUDA GPU is (`python tools/gpu_session.py train` runs them first on a lent GPU);
elsewhere pytest reports them as skipped, never as passed.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import liif
from liif.data import PatchSampler
from liif.metrics import psnr_y

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(scope="module")
def lmliif_tiny():
    torch.manual_seed(1)
    cfg = liif.ModelConfig(family="lmliif", encoder_args={"n_resblocks": 2, "n_feats": 8}, render_hidden=8,
                           render_depth=2, hypernet_hidden=[16])
    return liif.create_model(cfg).eval()


def _render(model, image, device, **options) -> np.ndarray:
    up = liif.Upscaler(model, device=device, **options)
    rgb = image.astype(np.float32) / 255
    return up.render(rgb, round(image.shape[0] * 2.5), round(image.shape[1] * 2.5))


@pytest.mark.parametrize("which", ["liif", "lmliif", "bundled"])
def test_exact_on_cuda_equals_the_cpu(which, tiny_model, lmliif_tiny, photo):
    model = {"liif": tiny_model, "lmliif": lmliif_tiny}.get(which) or liif.create_model(liif.DEFAULT_MODEL)
    cpu = _render(model, photo, "cpu", render_kernel="torch")
    gpu = _render(model, photo, "cuda")
    assert gpu.shape == cpu.shape
    # float32 on both: only the order of sums differs (TF32 convolutions would be ~1e-3 off)
    assert np.abs(gpu - cpu).max() < 1e-4


def test_tiles_and_chunks_on_cuda_are_seamless(photo):
    model = liif.create_model(liif.DEFAULT_MODEL)
    whole = _render(model, photo, "cuda", tile=None)
    tiled = _render(model, photo, "cuda", tile=24, chunk=997)
    assert np.abs(whole - tiled).max() < 1e-4


def test_self_ensemble_on_cuda_equals_the_cpu(tiny_model, photo):
    cpu = _render(tiny_model, photo, "cpu", ensemble=8)
    gpu = _render(tiny_model, photo, "cuda", ensemble=8)
    assert np.abs(gpu - cpu).max() < 1e-4


@pytest.mark.parametrize("precision,min_db", [("bf16", 38.0), ("fp16", 45.0)])
def test_half_precision_on_cuda_stays_close_to_exact(precision, min_db, photo):
    model = liif.create_model(liif.DEFAULT_MODEL)
    exact = _render(model, photo, "cuda")
    half = _render(model, photo, "cuda", precision=precision)
    assert psnr_y(half * 255, exact * 255) > min_db


def test_exact_leaves_the_tf32_switches_as_it_found_them(tiny_model, photo):
    before = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    _render(tiny_model, photo, "cuda")
    assert (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32) == before


def test_the_sampler_resizes_on_cuda_as_on_the_cpu(tmp_path, photo):
    from PIL import Image

    Image.fromarray(np.tile(photo, (3, 3, 1))).save(tmp_path / "x.png")
    sampler = PatchSampler(liif.data.find_images([tmp_path]), patch=24, scale_min=1, scale_max=4, sample_q=256)
    cpu = sampler.sample(4, np.random.default_rng(3))
    gpu = sampler.sample(4, np.random.default_rng(3), "cuda")
    assert gpu.inp.device.type == "cuda"
    for a, b in zip((cpu.inp, cpu.coord, cpu.cell, cpu.gt), (gpu.inp, gpu.coord, gpu.cell, gpu.gt), strict=True):
        torch.testing.assert_close(b.cpu(), a, atol=1e-5, rtol=0)


def test_training_on_cuda_with_bf16_lowers_the_loss(tmp_path, photo):
    from PIL import Image

    from liif.train import TrainConfig, Trainer

    Image.fromarray(np.tile(photo, (3, 3, 1))).save(tmp_path / "x.png")
    cfg = TrainConfig(train_dirs=[str(tmp_path)], val_dir=None, model=liif.ModelConfig.tiny().asdict(), patch=16,
                      batch_size=8, sample_q=256, lr=2e-3, total_steps=61, device="cuda", precision="bf16")
    tr = Trainer(cfg, tmp_path / "run")
    assert next(tr.model.parameters()).device.type == "cuda"
    losses = [tr.train_step() for _ in range(60)]
    assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:5])
    tr.run(max_steps=1, quiet=True)
    assert tr.device_seconds.get("cuda", 0) > 0
