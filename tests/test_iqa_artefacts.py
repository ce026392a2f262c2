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
from liif.degrade import jpeg
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


def _graded_scene() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(HR 256x256 gradients with two flat objects, its x4 input, bicubic): mid tones, room to stretch or darken."""
    yy, xx = np.mgrid[0:256, 0:256]
    hr = np.stack([70 + 0.45 * xx, 80 + 0.4 * yy, 100 + 0.2 * (xx + yy)], axis=-1)
    hr[96:160, 96:160] = [210, 70, 50]
    hr[20:60, 180:230] = [40, 50, 60]
    hr = to_uint8(hr)
    low = pil_bicubic(hr, (64, 64))
    return hr, low, pil_bicubic(low, (256, 256))


def test_a_contrast_stretch_of_fine_grain_is_not_added_noise():
    """Contrast x1.35 multiplies an output's own grain (issue 35: 1.2 grey levels over bicubic's lifted to 1.6 read as
    noise added); noise is compared at bicubic's contrast, and noise added before the stretch still reads as noise."""
    from iqa.validity import alteration

    _, low, bic = _graded_scene()
    rng = np.random.default_rng(1)
    grain = to_uint8(bic + rng.normal(0, 1.4, bic.shape))
    stretch = alteration("contrast_1.35").make
    raw = artefacts.flat_noise_sigma(stretch(grain, low), low) - artefacts.flat_noise_sigma(bic, low)
    assert raw >= artefacts.NOISE_ADDED  # as measured, the stretched grain would warn ...
    cue = artefacts.noise(views(stretch(grain, low), low, bic))
    assert cue.warning == "" and "at bicubic's contrast" in cue.reading  # ... at bicubic's contrast it does not
    assert artefacts.noise(views(grain, low, bic)).reading.endswith(")")  # no contrast change: nothing to say
    noisy = stretch(to_uint8(bic + rng.normal(0, 3, bic.shape)), low)
    assert artefacts.noise(views(noisy, low, bic)).warning == "added noise"


def test_a_vignette_takes_levels_without_banding_and_posterising_still_bands():
    """A vignette darkens a corner's gradient and takes its levels with it (issue 35 read it as banding): bicubic is
    carried into the output's tones before the levels are counted. Posterised plateaus still lose them."""
    from iqa.validity import alteration

    _, low, bic = _graded_scene()
    y = artefacts._luma(low)
    yy, xx = np.mgrid[0:256, 0:256]
    darkened = to_uint8(bic * (1 - 0.35 * (((xx - 128) / 128) ** 2 + ((yy - 128) / 128) ** 2) / 2)[..., None])
    assert artefacts.lost_levels(darkened, bic, y) < artefacts.BANDING_LOST / 4
    assert artefacts.banding(views(darkened, low, bic)).warning == ""
    for key in ("posterise_5", "posterise_4"):
        posterised = alteration(key).make(bic, low)
        assert artefacts.lost_levels(posterised, bic, y) > 2 * artefacts.BANDING_LOST, key
        assert artefacts.banding(views(posterised, low, bic)).warning == "banding", key


def test_carrying_bicubic_into_the_outputs_tones_never_splits_a_level():
    """A sharpened page's tone map stretches (a gain over 1, fitted where the strokes are): applied pixel by pixel
    over the frame it split a white block's 2-3 levels into more, which the output then 'lost' (seven clean text pages
    read as banded). Within a block it is one curve of the level: it may merge levels, never split them."""
    page = np.full((64, 64, 3), 250, np.uint8)
    for row in range(6, 60, 9):
        page[row:row + 3, 4:44] = 25
    big = pil_bicubic(page, (256, 256))
    sharpened = to_uint8(unsharp_mask(big, radius=2, amount=2.0, channel_axis=2, preserve_range=True))
    smooth = artefacts._smooth_block_mask(page, (256, 256))
    before = artefacts._levels(np.sort(artefacts._smooth_blocks(big, smooth), axis=-1))
    after = artefacts._levels(np.sort(artefacts._in_tones_of(big, sharpened, smooth), axis=-1))
    assert smooth.sum() > 20 and (after <= before).all()
    assert artefacts.banding(views(sharpened, page, big)).warning == ""


def test_a_grid_one_way_only_is_no_jpeg_grid():
    """JPEG's blocks are square: its grid shows across columns and rows. Text lines every 8 input pixels show it one
    way only; an input liif.inspect reads as a JPEG for them gets no 'expected with a JPEG input' excuse."""
    from types import SimpleNamespace

    from iqa.cues import jpeg_input

    low = np.full((64, 64, 3), 250, np.uint8)
    low[7::8] = 20  # a dark line at the foot of each 8-pixel band
    big = pil_bicubic(low, (256, 256))
    across_columns, across_rows = jpeg_input.grid_by_axis(big, (64, 64))
    assert across_rows > 1.5 and across_columns < 1.0 + 1e-6
    view = views(big, low, big)
    view._shared["input_condition"] = SimpleNamespace(compressed=True, jpeg_quality=30)  # as liif.inspect misread
    assert jpeg_input.bicubic_grid(view) >= jpeg_input.INPUT_GRID_SEEN and not jpeg_input.jpeg_grid_seen(view)
    assert jpeg_input.jpeg_expected(view) == ""
    _, photo = astronaut_pair()  # a photo's JPEG: its grid shows both ways, and is seen
    blocky = jpeg(photo, 30)
    view = views(pil_bicubic(blocky, (256, 256)), blocky, pil_bicubic(blocky, (256, 256)))
    view._shared["input_condition"] = SimpleNamespace(compressed=True, jpeg_quality=30)
    assert min(jpeg_input.grid_by_axis(view.bicubic, (64, 64))) > 1.0 and jpeg_input.jpeg_grid_seen(view)
