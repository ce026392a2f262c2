"""iqa.create_metric: one catalogue metric as a callable (pyiqa's idiom), computed as iqa.assess computes it."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from PIL import Image, ImageFilter
from skimage import data

import iqa
from iqa import weights as paths
from iqa.backends import pyiqa as pyiqa_backend
from iqa.cues import fr

CLASSICAL = ["laplacian_var", "hf_share", "color_drift", "halo_overshoot", "texture_retention", "pixel_grid",
             "saliency_retention"]
PYIQA_NO_WEIGHTS = ["piqe", "entropy"]  # computed by pyiqa with no weight files: they run offline
FULL_REFERENCE = ["psnr_y", "ssim_y"]


@pytest.fixture(scope="module")
def images() -> tuple[np.ndarray, np.ndarray, Image.Image]:
    """(reference, its x4 reduction, an over-sharpened x4 enlargement of the reduction as a PIL image)."""
    hr = data.astronaut()[32:224, 160:352].copy()
    lr = Image.fromarray(hr).resize((48, 48), Image.BICUBIC)
    out = lr.resize((192, 192), Image.BICUBIC).filter(ImageFilter.UnsharpMask(radius=2, percent=150))
    return hr, np.asarray(lr), out


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """The weight cache in an empty folder, and any network connection a test failure."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "cache"))
    pyiqa_backend.clear_cache()
    yield tmp_path / "cache"
    pyiqa_backend.clear_cache()


@pytest.mark.parametrize("key", CLASSICAL + PYIQA_NO_WEIGHTS + FULL_REFERENCE)
def test_the_callable_gives_assess_s_value(images, key):
    hr, lr, out = images
    reference = hr if key in FULL_REFERENCE else None
    row = iqa.assess(out, lr, reference=reference, metrics=[key])[key]
    assert row.available, row.reason
    metric = iqa.create_metric(key)
    value = metric(out, lr, reference)
    assert isinstance(value, float) and value == pytest.approx(row.value, rel=1e-9, abs=1e-12)
    assert value != pytest.approx(row.baseline)  # the output's value, not bicubic's
    assert metric.row(out, lr, reference) == row  # the whole row: baseline, reading, warning


def test_full_reference_rows_use_the_reference_and_shave(images):
    hr, lr, out = images
    psnr = iqa.create_metric("psnr_y")
    assert psnr(out, lr, hr, shave=4) == pytest.approx(fr.psnr_y(np.asarray(out), hr, 4))
    assert psnr(out, lr, hr, shave=4) != pytest.approx(psnr(out, lr, hr))
    with pytest.raises(ValueError, match="full-reference.*reference="):
        psnr(out, lr)


@pytest.mark.parametrize("key", ["laplacian_var", "color_drift", "luma_mean_shift", "piqe", "psnr_y"])
def test_the_callable_carries_the_catalogue_entry(key):
    metric, entry = iqa.create_metric(key), iqa.METRICS[key]
    assert (metric.key, metric.name, metric.direction, metric.range) == (key, entry.name, entry.direction, entry.range)
    assert (metric.measures, metric.group, metric.kind) == (entry.measures, entry.group, entry.kind)
    assert metric.needs_reference == (entry.kind == "fr")
    assert metric.lower_better == (entry.direction == "lower")
    assert key in repr(metric) and entry.name in repr(metric)


def test_lower_better_follows_the_direction():
    assert iqa.create_metric("color_drift").lower_better is True
    assert iqa.create_metric("laplacian_var").lower_better is False
    assert iqa.create_metric("luma_mean_shift").direction == "none"
    assert iqa.create_metric("luma_mean_shift").lower_better is False  # no better direction: not lower


def test_list_metrics_is_the_catalogue():
    keys = iqa.list_metrics()
    assert keys == list(iqa.METRICS) and len(keys) == len(set(keys)) > 20
    assert {"laplacian_var", "piqe", "musiq", "clip_clarity", "psnr_y", "lpips"} <= set(keys)


def test_unknown_key_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown metric 'sharpness'") as error:
        iqa.create_metric("sharpness")
    assert all(key in str(error.value) for key in iqa.list_metrics())


@pytest.mark.parametrize("key", ["musiq", "niqe", "lpips", "clip_clarity"])
def test_a_metric_without_weights_is_refused_with_the_reason(empty_cache, key):
    with pytest.raises(iqa.MetricUnavailable) as error:
        iqa.create_metric(key)
    message = str(error.value)
    assert message.startswith(f"{iqa.METRICS[key].name} ({key}) is unavailable: ")
    assert "liif prefetch" in message and str(empty_cache) in message
    assert not any(empty_cache.rglob("*.*"))  # nothing was fetched


def test_a_broken_weight_file_is_refused_at_creation(empty_cache):
    (empty_cache / "pyiqa").mkdir(parents=True)
    (empty_cache / "pyiqa" / "niqe_modelparameters.mat").write_bytes(b"not a mat file")
    with pytest.raises(iqa.MetricUnavailable, match="could not be created"):
        iqa.create_metric("niqe")


def test_a_row_that_does_not_apply_raises_what_assess_reports(images):
    hr, _, out = images
    lr = np.asarray(Image.fromarray(hr).resize((80, 80), Image.BICUBIC))  # x2.4: pixelation needs a whole number
    row = iqa.assess(out, lr, metrics=["pixel_grid"])["pixel_grid"]
    assert not row.available
    with pytest.raises(iqa.MetricUnavailable) as error:
        iqa.create_metric("pixel_grid")(out, lr)
    assert str(error.value) == f"Pixelation (pixel_grid): {row.reason}"
