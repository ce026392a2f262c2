"""Official and own checkpoint formats, bundled-model lookup, clear errors for foreign files."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import FIXTURES

import liif
from liif.checkpoint import read_card


def test_official_with_optimizer_and_epoch(tmp_path):
    src = torch.load(FIXTURES / "edsr-baseline-liif-small-random.pth", weights_only=True)
    src["optimizer"] = {"name": "adam", "args": {"lr": 1e-4}, "sd": {}}
    src["epoch"] = 1000
    path = tmp_path / "epoch-last.pth"
    torch.save(src, path)
    model = liif.load_checkpoint(path)
    assert model.encoder.out_dim == 16 and model.feat_unfold and model.local_ensemble


def test_own_format_round_trip(small_official_model, tmp_path, photo):
    path = liif.save_checkpoint(small_official_model, tmp_path / "m.safetensors", card={"note": "test"})
    again = liif.load_checkpoint(path)
    up_a, up_b = liif.Upscaler(small_official_model), liif.Upscaler(again)
    np.testing.assert_array_equal(np.asarray(up_a.upscale(photo, scale=2)), np.asarray(up_b.upscale(photo, scale=2)))
    assert read_card(path) == {"note": "test"}


def test_half_precision_export_is_close(small_official_model, tmp_path, photo):
    path = liif.save_checkpoint(small_official_model, tmp_path / "h.safetensors", half=True)
    half = liif.load_checkpoint(path)
    rgb = photo.astype(np.float32) / 255
    a = liif.Upscaler(small_official_model).render(rgb, 100, 120)
    b = liif.Upscaler(half).render(rgb, 100, 120)
    assert np.abs(a - b).max() < 0.01


def test_save_refuses_overwrite(tiny_model, tmp_path):
    path = liif.save_checkpoint(tiny_model, tmp_path / "t.safetensors")
    with pytest.raises(liif.CheckpointError, match="exists"):
        liif.save_checkpoint(tiny_model, path)


def test_missing_file(tmp_path):
    with pytest.raises(liif.CheckpointError, match="not found"):
        liif.create_model(tmp_path / "nope.pth")


def test_garbage_file(tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(liif.CheckpointError, match="not a readable"):
        liif.load_checkpoint(bad)


def test_foreign_pytorch_checkpoint(tmp_path):
    path = tmp_path / "resnet.pth"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, path)
    with pytest.raises(liif.CheckpointError, match="not an official LIIF/LMF checkpoint"):
        liif.load_checkpoint(path)


def test_not_liif_model(tmp_path):
    path = tmp_path / "edsr.pth"
    torch.save({"model": {"name": "edsr-baseline", "args": {}, "sd": {}}}, path)
    with pytest.raises(liif.CheckpointError, match="not a LIIF-family model"):
        liif.load_checkpoint(path)


def test_mismatched_weights(tmp_path):
    src = torch.load(FIXTURES / "edsr-baseline-liif-small-random.pth", weights_only=True)
    src["model"]["args"]["imnet_spec"]["args"]["hidden_list"] = [32, 32]
    path = tmp_path / "mismatch.pth"
    torch.save(src, path)
    with pytest.raises(liif.CheckpointError, match="do not match"):
        liif.load_checkpoint(path)


def test_pickled_code_is_not_executed(tmp_path):
    """weights_only=True: a checkpoint carrying arbitrary objects is refused, not run."""

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pth"
    torch.save({"model": Evil()}, path)
    with pytest.raises(liif.CheckpointError, match="not a readable PyTorch checkpoint"):
        liif.load_checkpoint(path)


def test_unknown_bundled_name_lists_choices():
    with pytest.raises(liif.CheckpointError, match="unknown model 'no-such-model'"):
        liif.create_model("no-such-model")
