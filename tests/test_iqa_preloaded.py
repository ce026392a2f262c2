"""Weights fetched into the machine's Hugging Face cache (a Space's preload_from_hub) are found and used."""
from __future__ import annotations

import pytest

from iqa import catalog
from iqa import weights as paths
from iqa.backends.open_clip import ClipCues
from iqa.weights import PYIQA_HUB, WeightFile

CLIP_REPO = "laion/CLIP-ViT-B-32-laion2B-s34B-b79K"


def _preload(hub, repo: str, name: str, data: bytes = b"weights") -> str:
    """A file laid out as huggingface_hub caches it (what preload_from_hub leaves on a Space)."""
    folder = hub / f"models--{repo.replace('/', '--')}"
    snapshot = folder / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / name).write_bytes(data)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("0123abcd")
    return str(snapshot / name)


@pytest.fixture
def machine_cache(tmp_path, monkeypatch):
    """No $LIIF_STUDIO_CACHE, a home and a Hugging Face cache of our own."""
    from huggingface_hub import constants

    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_a_pyiqa_checkpoint_in_the_hub_cache_counts_and_is_linked_where_pyiqa_reads(machine_cache):
    niqe = catalog.get("niqe")
    assert niqe.weights == (WeightFile("pyiqa", ("niqe_modelparameters.mat",)),)
    assert catalog.weights_status("niqe")[0] is False
    preloaded = _preload(machine_cache, PYIQA_HUB, "niqe_modelparameters.mat", b"niqe parameters")
    assert str(niqe.weights[0].locate()) == preloaded
    assert catalog.weights_status("niqe") == (True, "")
    installed = niqe.weights[0].install()
    assert installed == paths.pyiqa_dir() / "niqe_modelparameters.mat" and installed.read_bytes() == b"niqe parameters"
    assert niqe.weights[0].locate() == installed  # pyiqa's own directory first from now on


def test_timm_backbones_and_clip_are_read_from_the_machines_hub_cache(machine_cache):
    assert paths.hf_dir() == machine_cache
    backbone = next(w for w in catalog.get("topiq_nr").weights if w.store == "hf")
    assert backbone.locate() is None
    _preload(machine_cache, backbone.repo, "model.safetensors")
    assert backbone.locate() is not None
    clip = ClipCues()
    assert clip.hub_file() == (CLIP_REPO, "open_clip_model.safetensors")
    assert clip.status()[0] is False
    _preload(machine_cache, CLIP_REPO, "open_clip_model.safetensors")
    assert clip.status() == (True, "")


def test_an_isolated_cache_ignores_the_machines(machine_cache, tmp_path, monkeypatch):
    _preload(machine_cache, PYIQA_HUB, "niqe_modelparameters.mat")
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "isolated"))
    assert paths.hf_dir() == tmp_path / "isolated" / "huggingface"
    assert catalog.weights_status("niqe")[0] is False
