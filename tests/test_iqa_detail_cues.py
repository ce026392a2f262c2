"""The cues that see what the first ones missed (issue 31): texture retention, effective resolution,
banding, noise in flat areas only, and halos that a global tone change does not fake."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import astronaut_pair, to_uint8

import iqa
from iqa.cues import artefacts, detail
from iqa.cues.base import Views
from iqa.report.verdict import ADDED, judge
from iqa.validity import damages, down_up
from liif.resize import pil_bicubic

CLASSICAL = [k for k, m in iqa.METRICS.items() if m.kind == "classical"]


@pytest.fixture(scope="module")
def scene():
    """(HR 256x256 photo crop, its x4 input, a good enlargement: the HR slightly softened)."""
    hr, low = astronaut_pair()
    return hr, low, cv2.GaussianBlur(hr, (0, 0), 0.7)


def _report(output, low):
    return iqa.assess(output, low, metrics=CLASSICAL)


def test_texture_retention_sees_smoothing(scene):
    _, low, good = scene
    kept = _report(good, low)["texture_retention"]
    smoothed = _report(cv2.medianBlur(good, 5), low)["texture_retention"]
    assert kept.value > 0.8 and not kept.warning
    assert smoothed.value < kept.value - 0.2 and smoothed.warning == "texture lost"
    assert kept.baseline == smoothed.baseline < kept.value  # bicubic loses texture too
    verdict = judge(_report(cv2.medianBlur(good, 5), low))
    assert "smooths away the input's texture" in verdict.text


def test_texture_retention_ignores_a_tone_change(scene):
    _, low, good = scene
    brighter = to_uint8(255 * (good / 255.0) ** 0.75)
    row = _report(brighter, low)["texture_retention"]
    assert not row.warning and row.value > 0.8


@pytest.mark.parametrize("edit", [damages.vignetting, damages.local_tone])
def test_texture_retention_ignores_a_vignette_or_a_local_edit(scene, edit):
    # Issue 35: a gain or lift that varies smoothly over the frame moves the tones, not the texture.
    _, low, good = scene
    row = _report(edit(good), low)["texture_retention"]
    assert not row.warning and row.value > 0.8


def test_texture_retention_needs_texture():
    flat = np.zeros((64, 64, 3), np.uint8)
    flat[:, 32:] = 200  # one edge, no texture
    row = _report(pil_bicubic(flat, (256, 256)), flat)["texture_retention"]
    assert not row.available and "texture" in row.reason


def test_effective_resolution_of_bicubic_stops_near_the_input(scene):
    hr, low, good = scene
    row = _report(good, low)["effective_resolution"]
    assert 1.0 <= row.baseline <= 2.0  # bicubic: just past the input's Nyquist
    assert row.value > 1.5 * row.baseline and row.value <= 4.0 + 1e-9
    assert not row.warning
    blurred = _report(cv2.GaussianBlur(good, (0, 0), 3.0), low)["effective_resolution"]
    assert blurred.reading.endswith("no finer than bicubic") and not blurred.warning  # reported, not judged


def test_resolution_kept_sees_an_enlarged_half_size_result(scene):
    from iqa.validity import down_up

    _, low, good = scene
    kept = _report(good, low)["resolution_kept"]
    halved = _report(down_up(good, 2), low)["resolution_kept"]
    assert not kept.warning and kept.value > 3 * halved.value
    assert halved.warning == "resolution lost" and halved.value > halved.baseline  # still more than bicubic
    verdict = judge(_report(down_up(good, 2), low))
    assert "holds no detail beyond twice the input's resolution" in verdict.text
    at_x2 = iqa.assess(good[:, :128], pil_bicubic(good[:, :128], (64, 128)), metrics=["resolution_kept"])
    assert not at_x2["resolution_kept"].available  # at x2 twice the input's resolution is the output's own


def test_effective_resolution_of_white_noise_reaches_nyquist():
    rng = np.random.default_rng(0)
    noise = rng.normal(128, 20, (256, 256)).astype(np.float32)
    assert detail.effective_resolution(noise) == pytest.approx(1.0)
    assert detail.effective_resolution(np.full((256, 256), 128.0, np.float32)) == 0.0


def test_banding_sees_posterisation_not_a_contrast_stretch(scene):
    hr, low, good = scene
    posterised = _report(good & 0xF8, low)["banding"]
    stretched = _report(to_uint8((good.astype(float) - 128) * 1.35 + 128), low)["banding"]
    clean = _report(good, low)["banding"]
    assert posterised.warning == "banding" and posterised.value > 0.6
    assert not stretched.warning and stretched.value < 0.2
    assert not clean.warning and clean.value < 0.1
    assert posterised.baseline == 0.0  # bicubic is the reference itself


def test_lost_levels_of_a_smooth_ramp():
    ramp = np.tile(np.linspace(40, 120, 256), (256, 1))
    rgb = to_uint8(np.dstack([ramp] * 3))
    low = pil_bicubic(rgb, (64, 64))
    bic = pil_bicubic(low, (256, 256))
    assert artefacts.lost_levels(rgb, bic, low) == pytest.approx(0.0, abs=0.02)
    assert artefacts.lost_levels(rgb & 0xF0, bic, low) > 0.6
    assert artefacts.lost_levels(np.full_like(rgb, 255), bic, low) == 0.0  # clipped white: a tone change


def test_noise_is_measured_where_the_input_is_flat():
    """Synthesised texture (where the input is textured) is not noise; grain on a flat sky is."""
    rng = np.random.default_rng(1)
    low = np.full((64, 64, 3), 120, np.uint8)
    low[:, 32:] = to_uint8(120 + rng.normal(0, 25, (64, 32, 1)))  # the right half is textured
    bic = pil_bicubic(low, (256, 256))
    detailed = bic.copy()
    detailed[:, 128:] = to_uint8(bic[:, 128:] + rng.normal(0, 6, (256, 128, 1)))  # "detail" on the texture
    grainy = bic.copy()
    grainy[:, :120] = to_uint8(bic[:, :120] + rng.normal(0, 6, (256, 120, 1)))  # grain on the flat half
    assert not _report(detailed, low)["noise_sigma"].warning
    assert _report(grainy, low)["noise_sigma"].warning == "added noise"
    assert artefacts.noise_sigma(detailed[:, 128:]) > 2  # to the whole-image estimator that detail is noise


@pytest.mark.parametrize("change", ["gamma", "contrast"])
def test_a_global_tone_change_is_named_and_not_read_as_halos(scene, change):
    _, low, good = scene
    x = good.astype(float)
    changed = to_uint8(255 * (x / 255) ** 0.75) if change == "gamma" else to_uint8((x - 128) * 1.35 + 128)
    verdict = judge(_report(changed, low))
    assert not set(verdict.problems) & set(ADDED), verdict.text
    assert {"brightness changed", "contrast changed"} & set(verdict.problems), verdict.text


def test_halos_still_seen_with_a_uniform_offset(scene):
    """Posterising rounds every pixel down; the halo measure compares at the output's own mean level."""
    from skimage.filters import unsharp_mask

    _, low, _ = scene
    bic = pil_bicubic(low, (256, 256))
    sharpened = to_uint8(unsharp_mask(bic, radius=2, amount=2.5, channel_axis=2, preserve_range=True))
    assert _report(sharpened, low)["halo_overshoot"].warning == "halos"
    assert _report(np.maximum(sharpened.astype(int) - 3, 0).astype(np.uint8), low)["halo_overshoot"].warning == "halos"


def test_a_half_size_enlargement_loses_resolution_where_its_energy_alone_would_pass():
    """The true image reduced x2 and enlarged back keeps more energy beyond 2x than the absolute bound asks, but
    only a few percent of its detail beyond the input's band lies there: the share reads it (issue 35's down-up)."""
    hr, low = astronaut_pair()
    bic = pil_bicubic(low, (256, 256))
    halved = detail.resolution_kept(Views(down_up(hr, 2), bic, low, 4.0))
    assert halved.value >= detail.RESOLUTION_KEPT and halved.warning == "resolution lost"
    assert "twice it" in halved.reading
    assert detail.resolution_kept(Views(hr, bic, low, 4.0)).warning == ""
