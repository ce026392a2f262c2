"""pyiqa metrics offline: what runs without weights, what is reported unavailable, and
that nothing reaches for the network. Also the pkg_resources compat shim."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import eval_triplet

import iqa
from iqa import catalog
from iqa import weights as paths
from iqa.backends import pyiqa as pyiqa_backend

REPO = Path(__file__).resolve().parents[1]


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test at once."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "cache"))
    pyiqa_backend.clear_cache()
    yield tmp_path / "cache"
    pyiqa_backend.clear_cache()


@pytest.fixture(scope="module")
def images():
    return eval_triplet("monarch", 4)


def test_piqe_and_entropy_run_offline_through_pyiqa(images, no_network, empty_cache):
    hr, lr, bic = images
    report = iqa.assess(hr, lr, metrics=["piqe", "entropy"])
    piqe, entropy = report["piqe"], report["entropy"]
    for row, low, high in ((piqe, 0, 100), (entropy, 0, 8)):
        assert row.available, row.reason
        assert math.isfinite(row.value) and math.isfinite(row.baseline)
        assert low <= row.value <= high and low <= row.baseline <= high
    assert piqe.direction == "lower"
    assert piqe.value < piqe.baseline  # the real photo is better than its bicubic enlargement
    assert "better than bicubic" in piqe.reading
    # the same numbers as calling pyiqa directly (on the same centre crop)
    assert pyiqa_backend.score(catalog.get("piqe").pyiqa, [hr])[0] == pytest.approx(piqe.value)


def test_entropy_by_histogram_is_pyiqa_s_entropy(images):
    """The entropy row computes pyiqa's metric without importing pyiqa: the same numbers as pyiqa's own."""
    import pyiqa

    hr, lr, bic = images
    ours = pyiqa_backend.grey_entropy([hr, bic])
    theirs = pyiqa.create_metric("entropy", device="cpu")(pyiqa_backend._to_tensor([hr, bic], catalog.CLASSICAL_CROP))
    assert ours == pytest.approx(theirs.reshape(-1).tolist(), rel=1e-6)
    assert ours[0] > ours[1]  # the photo's histogram is wider than its blurred enlargement's


def test_metric_without_weights_is_unavailable_fast_without_network(images, no_network, empty_cache):
    hr, lr, _ = images
    started = time.perf_counter()
    report = iqa.assess(hr, lr, reference=hr, metrics=["musiq", "maniqa", "topiq_nr", "niqe", "lpips"])
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert len(report.rows) == 5
    for row in report.rows:
        assert not row.available and row.value is None and row.baseline is None
        assert f"liif prefetch {row.key}" in row.reason
        assert str(empty_cache) in row.reason
    with pytest.raises(pyiqa_backend.MetricUnavailable, match="weights not found"):
        pyiqa_backend.create(catalog.get("musiq").pyiqa)


def test_defaults_list_weight_needing_metrics_as_unavailable(images, no_network, empty_cache):
    hr, lr, _ = images
    report = iqa.assess(hr, lr)
    keys = {r.key for r in report.rows}
    assert {"entropy", "niqe", "brisque", "musiq", "clipiqa", "topiq_nr", "maniqa"} <= keys
    assert "piqe" not in keys  # on request only: it prefers noise and JPEG to the truth (iqa.catalog.ON_REQUEST)
    assert not any(r.group == "full-reference" for r in report.rows)  # no reference given
    assert report["entropy"].available and not report["musiq"].available
    status = {k: ok for k, ok, _ in iqa.available_metrics()}
    assert status["piqe"] and status["entropy"] and status["psnr_y"]
    assert not status["musiq"] and not status["clip_clarity"]


def test_weights_are_looked_for_in_the_configured_cache(empty_cache):
    assert paths.cache_root() == empty_cache
    ok, reason = catalog.weights_status("musiq")
    assert not ok and str(empty_cache / "pyiqa") in reason
    (empty_cache / "pyiqa").mkdir(parents=True)
    (empty_cache / "pyiqa" / "musiq_koniq_ckpt-e95806b9.pth").write_bytes(b"x")
    assert catalog.weights_status("musiq") == (True, "")
    # a metric needing a Hugging Face backbone too stays unavailable with just its checkpoint
    (empty_cache / "pyiqa" / "cfanet_nr_koniq_res50-9a73138b.pth").write_bytes(b"x")
    ok, reason = catalog.weights_status("topiq_nr")
    assert not ok and "timm/resnet50" in reason and "cfanet" not in reason


def test_broken_weight_file_is_reported_not_fetched(images, no_network, empty_cache):
    hr, lr, _ = images
    (empty_cache / "pyiqa").mkdir(parents=True)
    (empty_cache / "pyiqa" / "niqe_modelparameters.mat").write_bytes(b"not a mat file")
    row = iqa.assess(hr, lr, metrics=["niqe"])["niqe"]
    assert not row.available and "could not be created" in row.reason


def test_download_guard_refuses_and_restores(no_network, empty_cache):
    import pyiqa.utils.download_util as download_util
    import torch.hub

    hub_before = torch.hub.get_dir()
    download_before = download_util.download_url_to_file
    with pyiqa_backend.pyiqa_environment(allow_network=False):
        assert torch.hub.get_dir() == str(empty_cache / "torch")
        assert download_util.DEFAULT_CACHE_DIR == str(empty_cache / "pyiqa")
        with pytest.raises(pyiqa_backend.DownloadRefused):
            download_util.load_file_from_url("https://example.invalid/weights.pth")
    assert torch.hub.get_dir() == hub_before
    assert download_util.download_url_to_file is download_before


def test_prefetch_reports_network_failure(no_network, empty_cache):
    results = iqa.prefetch(["niqe", "piqe"])
    assert results[0][0] == "niqe" and results[0][1] is False
    assert results[1] == ("piqe", True, "no weights needed")


def test_large_image_policy_crops_learned_and_classical_metrics():
    assert pyiqa_backend.crop_size_for(catalog.get("musiq").pyiqa) == catalog.LEARNED_CROP == 512
    assert pyiqa_backend.crop_size_for(catalog.get("piqe").pyiqa) == catalog.CLASSICAL_CROP == 1024
    x = pyiqa_backend._to_tensor([np.zeros((3000, 700, 3), np.uint8)], 512)
    assert tuple(x.shape) == (1, 3, 512, 512)


def test_catalogue_entries_are_complete():
    for key, metric in catalog.METRICS.items():
        assert metric.key == key
        assert metric.direction in ("higher", "lower", "none")
        assert metric.group in catalog.GROUPS
        assert metric.measures and metric.range and metric.name
        assert metric.needs_weights == bool(metric.weights) or metric.kind == "clip"
        if metric.pyiqa_name:
            from pyiqa.default_model_configs import DEFAULT_CONFIGS

            cfg = DEFAULT_CONFIGS[metric.pyiqa_name]
            if metric.direction != "none":
                assert cfg.get("lower_better", False) == (metric.direction == "lower"), key


SHIM_SCRIPT = r"""
import sys
sys.modules['pkg_resources'] = None          # what setuptools >= 81 amounts to
import iqa.backends.compat as compat
assert not compat.real_pkg_resources_available()
with compat.pkg_resources_shim() as installed:
    assert installed
    from pkg_resources import packaging
    assert packaging.version.parse('2.1') > packaging.version.parse('1.7.1')
assert sys.modules['pkg_resources'] is None  # restored: no fake module left behind
clip = compat.import_openai_clip()
assert tuple(clip.tokenize(['a photo']).shape) == (1, 77)
compat.prepare_pyiqa_clip()
import pyiqa.archs.clipiqa_arch            # pyiqa's CLIP-IQA module now imports
assert sys.modules['pkg_resources'] is None
print('shim ok')
"""


def test_pkg_resources_shim_lets_openai_clip_import():
    done = subprocess.run([sys.executable, "-c", SHIM_SCRIPT], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "shim ok" in done.stdout


def test_shim_is_not_used_when_real_pkg_resources_exists(monkeypatch):
    import types

    from iqa.backends import compat

    real = types.ModuleType("pkg_resources")
    monkeypatch.setitem(sys.modules, "pkg_resources", real)
    with compat.pkg_resources_shim() as installed:
        assert installed is False
        assert sys.modules["pkg_resources"] is real
