"""The artefact cues (noise, halos, 8x8 blocks, pixelation) and saliency retention on made images."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from conftest import astronaut_pair, to_uint8
from PIL import Image
from skimage.filters import unsharp_mask

import iqa
from iqa.cues import artefacts, saliency
from iqa.cues.base import CueUnavailable, Views
from liif.resize import pil_bicubic

NEW = ["noise_sigma", "halo_overshoot", "jpeg_blockiness", "pixel_grid", "saliency_retention"]


@pytest.fixture(scope="module")
def scene():
    """(HR 256x256 photo crop, its x4 input, the input enlarged by bicubic)."""
    hr, low = astronaut_pair()
    return hr, low, pil_bicubic(low, (256, 256))


def views(output, low, bic, scale=4.0) -> Views:
    return Views(output, bic, low, scale)


def test_noisier_copy_reads_noisier(scene):
    _, low, bic = scene
    rng = np.random.default_rng(0)
    noisy = to_uint8(bic + rng.normal(0, 6, bic.shape))
    assert artefacts.noise_sigma(noisy) > artefacts.noise_sigma(bic) + 3  # 6 per channel ~ 4 on luma
    from skimage.restoration import estimate_sigma  # the estimator noise_sigma follows step for step

    for image in (noisy, bic):
        luma = artefacts._y(image)
        assert artefacts.noise_sigma(image) == pytest.approx(estimate_sigma(luma, channel_axis=None), rel=1e-12)
    cue = artefacts.noise(views(noisy, low, bic))
    assert cue.warning == "added noise" and "added noise" in cue.reading
    assert artefacts.noise(views(bic, low, bic)).warning == ""


def test_sharpened_copy_shows_overshoot(scene):
    _, low, bic = scene
    sharpened = to_uint8(unsharp_mask(bic, radius=2, amount=2.0, channel_axis=2, preserve_range=True))
    assert artefacts.halo_overshoot(sharpened, low) > artefacts.halo_overshoot(bic, low) + artefacts.HALO_ADDED
    assert artefacts.halo(views(sharpened, low, bic)).warning == "halos"
    assert artefacts.halo(views(bic, low, bic)).warning == ""


def test_texture_beside_an_edge_is_no_halo_but_sharpening_is():
    # Issue 35: texture the input could not hold leaves its local range both ways; a halo only away from the edge.
    low = np.full((32, 32, 3), 60, np.uint8)
    low[:, 16:] = 190  # one strong edge, flat on both sides
    sharp = np.repeat(np.repeat(low, 4, axis=0), 4, axis=1)  # the edge kept crisp, nothing beside it
    rng = np.random.default_rng(35)
    texture = cv2.GaussianBlur(rng.normal(0, 8, sharp.shape[:2]).astype(np.float32), (0, 0), 1.2)
    textured = to_uint8(sharp + texture[..., None])
    sharpened = to_uint8(unsharp_mask(sharp, radius=2, amount=1.0, channel_axis=2, preserve_range=True))
    assert np.quantile(np.abs(texture), artefacts.HALO_PEAK) > 3.0  # the texture alone stands out by 3+ levels
    _, _, texture_peak, _ = artefacts.halo_profile(textured, low)
    halo_mean, _, halo_peak, _ = artefacts.halo_profile(sharpened, low)
    assert max(artefacts.halo_profile(sharp, low)) < 0.01
    assert texture_peak < artefacts.HALOS.floor < 2 * artefacts.HALOS.floor < halo_peak  # 1 grey level: the JND
    assert halo_mean > artefacts.HALO_ADDED


def test_a_few_edges_on_block_borders_are_not_a_jpeg_grid(scene):
    # Issue 35: on 64 px inputs at x4 a few strong edges that fall on the 8-pixel lines lifted the ratio as a grid.
    _, low, bic = scene
    ramp = np.tile(np.linspace(40, 200, 256, dtype=np.float32), (256, 1))
    for column in (8, 72, 136):  # three steps, each on a block border
        ramp[:, column:] += 40
    edges = to_uint8(np.repeat(ramp[..., None], 3, axis=2))
    ratio, error = artefacts.jpeg_grid(edges)
    assert ratio > artefacts.JPEG_GRID and ratio - artefacts.GRID_ERRORS * error <= 1.0
    cue = artefacts.blockiness(views(edges, low, bic))
    assert cue.warning == "" and "a few edges" in cue.reading
    hr, _, _ = scene
    buffer = io.BytesIO()
    Image.fromarray(hr).save(buffer, "JPEG", quality=30)  # a grid in every block stands out of that noise
    ratio, error = artefacts.jpeg_grid(np.asarray(Image.open(buffer).convert("RGB")))
    assert ratio - artefacts.GRID_ERRORS * error > artefacts.JPEG_GRID


def test_halo_zone_needs_a_strong_edge():
    flat = np.full((16, 16, 3), 120, np.uint8)
    assert artefacts.halo_overshoot(np.full((64, 64, 3), 200, np.uint8), flat) == 0.0


def test_jpeg_copy_shows_blocks(scene):
    hr, low, bic = scene
    buffer = io.BytesIO()
    Image.fromarray(hr).save(buffer, "JPEG", quality=30)
    jpeg = np.asarray(Image.open(buffer).convert("RGB"))
    assert artefacts.jpeg_blockiness(jpeg) > artefacts.JPEG_GRID > artefacts.jpeg_blockiness(hr)
    assert artefacts.blockiness(views(jpeg, low, bic)).warning == "block artefacts"
    assert artefacts.blockiness(views(hr, low, bic)).warning == ""


def test_nearest_neighbour_reads_pixelated(scene):
    _, low, bic = scene
    nearest = np.asarray(Image.fromarray(low).resize((256, 256), Image.NEAREST))
    assert artefacts.pixel_grid_share(nearest, 4) > 0.9
    assert artefacts.pixel_grid_share(bic, 4) < 0.5
    assert artefacts.pixelation(views(nearest, low, bic)).warning == "pixelation"
    assert artefacts.pixelation(views(bic, low, bic)).warning == ""


def test_pixelation_needs_a_whole_number_scale(scene):
    _, low, bic = scene
    with pytest.raises(CueUnavailable, match="whole-number scale"):
        artefacts.pixelation(views(bic, low, bic, scale=3.5))
    report = iqa.assess(pil_bicubic(low, (224, 224)), low, metrics=["pixel_grid"])
    row = report["pixel_grid"]
    assert not row.available and "whole-number scale" in row.reason


def test_saliency_map_and_retention(scene):
    hr, low, bic = scene
    sal = saliency.spectral_residual(hr)
    assert sal.shape == (64, 64) and sal.min() == 0.0 and sal.max() == pytest.approx(1.0)
    assert saliency.map_correlation(sal, sal) == pytest.approx(1.0)
    # A bright square on a soft random texture is what draws the eye (on a perfectly plain
    # background the spectrum of a lone square is a sinc, and the residual is a grid).
    import cv2

    texture = cv2.GaussianBlur(np.random.default_rng(0).normal(90, 20, (128, 128)).astype(np.float32), (0, 0), 2)
    canvas = np.repeat(to_uint8(texture)[..., None], 3, axis=2)
    moved = canvas.copy()
    canvas[20:36, 90:106] = 250
    moved[90:106, 20:36] = 250
    blob = saliency.spectral_residual(canvas)
    y, x = np.unravel_index(blob.argmax(), blob.shape)
    assert 8 <= y <= 20 and 43 <= x <= 55  # the square, at the 64-px working size
    assert saliency.map_correlation(blob, saliency.spectral_residual(moved)) < 0.3
    cue = saliency.saliency_retention(Views(moved, canvas, low, 2.0))
    assert cue.warning == "saliency moved" and cue.baseline is None
    assert saliency.saliency_retention(views(bic, low, bic)).value == pytest.approx(1.0)


def test_rows_in_the_report(scene):
    _, low, bic = scene
    rng = np.random.default_rng(1)
    noisy = to_uint8(bic + rng.normal(0, 8, bic.shape))
    report = iqa.assess(noisy, low, metrics=NEW)
    assert [r.key for r in report.rows] == NEW
    for row in report.rows:
        metric = iqa.METRICS[row.key]
        assert row.available and metric.compute is not None
        assert row.group in ("artefacts", "saliency") and row.direction == metric.direction
        assert row.reading
    assert report["noise_sigma"].warning == "added noise"
    assert report.to_dict()["rows"][0]["warning"] == "added noise"


def test_isolated_pixels_are_dots_not_lines_or_texture():
    """Salt and pepper, dead and hot pixels are isolated; a one-pixel line, a checkerboard and noise are not."""
    rng = np.random.default_rng(1)
    base = cv2.GaussianBlur(rng.normal(120, 30, (96, 96, 3)).astype(np.float32), (0, 0), 2)
    clean = to_uint8(base)
    lines = clean.copy()
    lines[40, :] = 255  # a one-pixel line across
    lines[:, 20] = 0
    checker = np.where((np.indices((96, 96)).sum(0) % 2)[..., None] == 1, 200, 40).astype(np.uint8).repeat(3, 2)
    noisy = to_uint8(base + rng.normal(0, 8, base.shape))
    for image in (clean, lines, checker, noisy):
        assert artefacts.isolated_share(image) == 0.0
    speckled, hot = clean.copy(), clean.copy()
    speckled[10:90:9, 10:90:7] = 255  # 9 x 12 salt dots and 9 x 11 pepper
    speckled[14:90:9, 13:90:7] = 0
    hot[30:60:5, 30:60:5, 0] = 255  # stuck red: one channel at full
    assert artefacts.isolated_share(speckled) == pytest.approx((9 * 12 + 9 * 11) / 96 ** 2)
    assert artefacts.isolated_share(hot) == pytest.approx(36 / 96 ** 2)
    low = pil_bicubic(clean, (24, 24))
    cue = artefacts.isolated(Views(speckled, pil_bicubic(low, (96, 96)), low, 4.0))
    assert cue.warning == "isolated pixels" and cue.baseline == 0.0 and "a megapixel" in cue.reading


def test_gibbs_ringing_reads_as_ringing_and_impulses_or_a_clean_enlargement_do_not(scene):
    """Ripples in flat areas beyond the input's band are ringing; isolated pixels are their own cue's (issue 35)."""
    from iqa.validity.damages import impulse, ringing

    _, low, bic = scene
    rung = ringing(bic)
    assert artefacts.ripple_rms(rung, low) > artefacts.ripple_rms(bic, low) + artefacts.RIPPLE_ADDED
    cue = artefacts.ripples(views(rung, low, bic))
    assert cue.warning == "ringing" and "grey levels RMS" in cue.reading
    assert artefacts.ripples(views(bic, low, bic)).warning == ""
    # The 3x3 median takes salt and pepper out: the ripples read as the clean image's, to a tenth of a grey level.
    assert artefacts.ripple_rms(impulse(bic), low) == pytest.approx(artefacts.ripple_rms(bic, low), abs=0.1)


def test_posterised_plateaus_are_not_read_as_ringing(scene):
    """Smooth areas rounded to 4 bits fill flat areas with steps that measure as ripples; they lose grey levels, which
    ringing never does, so the row leaves them to banding (issue 35's suite read them as ringing)."""
    from iqa.validity import alteration

    hr, low, bic = scene
    posterised = alteration("posterise_smooth").make(hr, low)
    cue = artefacts.ripples(views(posterised, low, bic))
    assert cue.value - cue.baseline >= artefacts.RIPPLE_ADDED  # ripples enough to warn on their own ...
    assert cue.warning == "" and "plateaus" in cue.reading  # ... read as what they are


def test_overshoot_with_grey_levels_lost_is_left_to_banding(scene):
    """Plateaus move each flat area to its nearest band, which the halo row reads against the input's levels as
    overshoot; where smooth areas lost grey levels the row says so rather than call it halos (Set14/coastguard)."""
    from iqa.validity import alteration

    _, low, bic = scene
    sharpened = to_uint8(unsharp_mask(bic, radius=2, amount=2.0, channel_axis=2, preserve_range=True))
    assert artefacts.halo(views(sharpened, low, bic)).warning == "halos"
    plateaus = alteration("posterise_smooth").make(sharpened, low)
    assert artefacts.lost_levels(plateaus, bic, artefacts._luma(low)) >= artefacts.PLATEAUS_LOST
    cue = artefacts.halo(views(plateaus, low, bic))
    assert cue.value - cue.baseline >= artefacts.HALO_ADDED and cue.warning == "" and "plateaus" in cue.reading


def test_ringing_needs_flat_areas_to_judge():
    rng = np.random.default_rng(3)
    busy = rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)  # no 5x5 window is flat
    with pytest.raises(CueUnavailable, match="not enough flat areas"):
        artefacts.ripples(views(pil_bicubic(busy, (96, 96)), busy, pil_bicubic(busy, (96, 96))))
