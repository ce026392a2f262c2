"""Classical cues and full-reference scores on real images (Set5 / Set14)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import eval_triplet as pair
from PIL import Image, ImageFilter

import iqa
from iqa.cues import detail, fr, tone
from iqa.images import ImageInputError, to_rgb_array
from liif.resize import pil_bicubic

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "eval"
CLASSICAL = ["laplacian_var", "tenengrad", "hf_share", "consistency_psnr", "color_drift",
             "luma_mean_shift", "luma_spread_shift", "colourfulness_change"]


def load(name: str) -> np.ndarray:
    path = next(EVAL.glob(f"*/{name}.png"), None)
    if path is None:
        pytest.skip(f"evaluation image {name}.png not found under {EVAL}")
    return np.asarray(Image.open(path).convert("RGB"))


def blur(image: np.ndarray, radius: float) -> np.ndarray:
    return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(radius)))


@pytest.mark.parametrize("name", ["butterfly", "baboon", "comic"])
def test_sharpness_cues_rank_image_above_blurred_copy(name):
    image = load(name)
    soft = blur(image, 2.0)
    assert detail.laplacian_variance(image) > 2 * detail.laplacian_variance(soft)
    assert detail.tenengrad(image) > 1.5 * detail.tenengrad(soft)
    assert detail.high_frequency_share(image) > 2 * detail.high_frequency_share(soft)
    assert 0 <= detail.high_frequency_share(soft) < detail.high_frequency_share(image) <= 1


def test_sharpness_rows_read_as_gain_over_bicubic():
    hr, lr, bic = pair("butterfly", 4)
    sharp = iqa.assess(hr, lr, metrics=["laplacian_var", "tenengrad", "hf_share"])
    for row in sharp.rows:
        assert row.available and row.direction == "higher"
        assert row.value > row.baseline, row
        assert row.better_than_baseline is True
        assert "bicubic" in row.reading and ("sharper" in row.reading or "more fine detail" in row.reading)
    soft = iqa.assess(blur(bic, 1.5), lr, metrics=["laplacian_var", "tenengrad"])
    for row in soft.rows:
        assert row.value < row.baseline
        assert "softer than bicubic" in row.reading
        assert row.gain is not None and row.gain < 0


def test_sharpness_reading_percent():
    from iqa.cues.readings import relative_reading

    assert relative_reading(122.0, 100.0, "sharper", "softer", "edge contrast") == "22% sharper than bicubic"
    assert relative_reading(80.0, 100.0, "sharper", "softer", "edge contrast") == "20% softer than bicubic"
    assert "about the same" in relative_reading(101.0, 100.0, "sharper", "softer", "edge contrast")


def test_tone_cues_catch_a_colour_shifted_copy():
    hr, lr, bic = pair("flowers", 3)
    shifted = np.clip(bic.astype(np.float64) * [1.15, 1.0, 0.85], 0, 255).astype(np.uint8)
    faithful = tone.tone_cues(bic, lr)
    wrong = tone.tone_cues(shifted, lr)
    assert faithful.color_drift < 2.5
    assert wrong.color_drift > faithful.color_drift + 3
    assert abs(wrong.colourfulness_change) > abs(faithful.colourfulness_change) + 5

    report = iqa.assess(shifted, lr, metrics=["color_drift", "colourfulness_change"])
    drift = report["color_drift"]
    assert drift.direction == "lower" and drift.value > drift.baseline
    assert drift.better_than_baseline is False
    assert "invisible" not in drift.reading and "dE" in drift.reading


def test_tone_cues_catch_brightness_and_contrast_changes():
    hr, lr, bic = pair("lenna", 2)
    brighter = np.clip(bic.astype(np.int16) + 25, 0, 255).astype(np.uint8)
    flat = np.clip((bic.astype(np.float64) - 128) * 0.6 + 128, 0, 255).astype(np.uint8)
    report = iqa.assess(brighter, lr, metrics=["luma_mean_shift"])
    assert report["luma_mean_shift"].value > 5 and "brighter" in report["luma_mean_shift"].reading
    report = iqa.assess(flat, lr, metrics=["luma_spread_shift"])
    assert report["luma_spread_shift"].value < -3 and "less contrast" in report["luma_spread_shift"].reading
    same = iqa.assess(bic, lr, metrics=["luma_mean_shift"])["luma_mean_shift"]
    assert abs(same.value) < 1 and "unchanged" in same.reading


def test_colourfulness_warns_only_where_the_colours_move_visibly():
    # Issue 35: faint colour fringes on a grey page read +10% against the floor of M = 15 yet moved 0.55 dE; the
    # warning waits for the drift the colour-shift warning waits for (noticeable side by side).
    rng = np.random.default_rng(35)
    page = np.full((64, 64, 3), 235, np.uint8)
    for row in range(6, 60, 8):  # dark strokes
        page[row:row + 3, 4:60] = 30
    page = np.asarray(Image.fromarray(page).filter(ImageFilter.GaussianBlur(1)))  # soft: bicubic shrinks back to it
    big = pil_bicubic(page, (256, 256)).astype(np.int16)
    fringe = (np.abs(np.diff(big[..., 1], axis=1, prepend=big[:, :1, 1])) > 8)[..., None] * [8, 0, -8]
    fringed = np.clip(big + fringe + rng.integers(-1, 2, big.shape), 0, 255).astype(np.uint8)
    row = iqa.assess(fringed, page, metrics=["colourfulness_change", "color_drift"])
    assert abs(row["colourfulness_change"].value) >= tone.COLOURFULNESS_SHIFT
    assert row["color_drift"].value < tone.DRIFT_NOTICEABLE
    assert row["colourfulness_change"].warning == "" and "too little to notice" in row["colourfulness_change"].reading
    hr, lr, bic = pair("flowers", 3)  # a colourful photo, its chroma x1.5: seen
    vivid = np.clip((bic.astype(np.float64) - bic.mean(axis=2, keepdims=True)) * 1.5 + bic.mean(axis=2, keepdims=True),
                    0, 255).astype(np.uint8)
    assert iqa.assess(vivid, lr, metrics=["colourfulness_change"])["colourfulness_change"].warning


def test_colour_drift_reading_words():
    from iqa.cues.tone import drift_reading

    assert drift_reading(0.6) == "colour drift 0.6 dE: invisible"
    assert "colours have changed" in drift_reading(12.0)


@pytest.mark.parametrize("name,scale", [("baby", 4), ("zebra", 2)])
def test_consistency_high_for_faithful_upscale_low_for_wrong_one(name, scale):
    hr, lr, bic = pair(name, scale)
    faithful = tone.tone_cues(bic, lr).consistency_psnr
    assert faithful > 30
    assert math.isinf(tone.tone_cues(hr, lr).consistency_psnr)  # lr is hr shrunk by the same kernel
    shifted = np.roll(hr, (2 * scale, 2 * scale), axis=(0, 1))
    other = pil_bicubic(load("monarch"), (hr.shape[1], hr.shape[0]))
    assert tone.tone_cues(shifted, lr).consistency_psnr < 24
    assert tone.tone_cues(other, lr).consistency_psnr < 15
    row = iqa.assess(other, lr, metrics=["consistency_psnr"])["consistency_psnr"]
    assert row.reading.startswith("does not match the input")
    row = iqa.assess(bic, lr, metrics=["consistency_psnr"])["consistency_psnr"]
    assert row.reading.startswith(("faithful", "close"))


def test_psnr_known_values():
    a = np.zeros((8, 8, 3), np.uint8)
    b = np.full((8, 8, 3), 10, np.uint8)
    assert tone.psnr(a, b) == pytest.approx(10 * math.log10(255**2 / 100))
    assert math.isinf(tone.psnr(a, a))
    # Y = 16 + 219 * v / 255 for grey pixels (MATLAB rgb2ycbcr convention)
    dy = 10 * 219 / 255
    assert fr.psnr_y(b, a) == pytest.approx(10 * math.log10(255**2 / dy**2))
    with pytest.raises(ValueError):
        tone.psnr(a, b[:4])


def test_psnr_y_shave_ignores_the_border():
    image = load("bird")
    damaged = image.copy()
    damaged[:3] = 0
    assert math.isfinite(fr.psnr_y(damaged, image))
    assert math.isinf(fr.psnr_y(damaged, image, shave=3))


def test_ssim_known_values():
    image = load("head")
    assert fr.ssim_y(image, image) == pytest.approx(1.0)
    assert fr.ssim_y(blur(image, 2), image) < 0.95
    # constant images: SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1), with C1 = (0.01 * 255)^2
    x = np.full((32, 32, 3), 100, np.uint8)
    y = np.full((32, 32, 3), 110, np.uint8)
    mx, my = fr.rgb_to_y(x)[0, 0], fr.rgb_to_y(y)[0, 0]
    c1 = (0.01 * 255) ** 2
    assert fr.ssim_y(x, y) == pytest.approx((2 * mx * my + c1) / (mx**2 + my**2 + c1), rel=1e-6)


def test_full_reference_rows_against_bicubic():
    hr, lr, bic = pair("woman", 2)
    report = iqa.assess(hr, lr, reference=hr, metrics=["psnr_y", "ssim_y"], shave=2)
    psnr, ssim = report["psnr_y"], report["ssim_y"]
    assert math.isinf(psnr.value) and psnr.reading == "identical to the reference"
    assert 20 < psnr.baseline < 50
    assert ssim.value == pytest.approx(1.0) and ssim.baseline < 1
    soft = iqa.assess(blur(bic, 1), lr, reference=hr, metrics=["psnr_y"])["psnr_y"]
    assert soft.value < soft.baseline and "-" in soft.reading


def test_image_inputs_follow_the_engine_array_contract():
    rgba = np.zeros((5, 6, 4), np.uint8)
    assert to_rgb_array(rgba).shape == (5, 6, 3)
    assert to_rgb_array(Image.new("L", (6, 5))).shape == (5, 6, 3)
    assert (to_rgb_array(np.full((5, 6, 3), 0.5, np.float32)) == 128).all()  # float in [0, 1], as liif
    assert (to_rgb_array(np.full((5, 6, 3), 65535, np.uint16)) == 255).all()
    with pytest.raises(ImageInputError, match=r"\[0, 1\].*divide 0-255 values by 255"):
        to_rgb_array(np.full((5, 6, 3), 200.0))
    with pytest.raises(ImageInputError, match="PIL image or a numpy array"):
        to_rgb_array("not an image")
    with pytest.raises(ImageInputError, match="too small"):
        to_rgb_array(np.zeros((1, 6, 3), np.uint8))


def test_a_16bit_output_scores_as_its_pixels_not_as_white():
    """The old loader clipped uint16 to 255: a 16-bit result read as a white image."""
    hr, lr, bic = pair("baby", 4)
    as16 = hr.astype(np.uint16) * 257  # the same picture in 16 bits
    keys = ["laplacian_var", "consistency_psnr", "color_drift", "luma_mean_shift"]
    eight, sixteen = iqa.assess(hr, lr, metrics=keys), iqa.assess(as16, lr, metrics=keys)
    for key in keys:
        assert sixteen[key].value == pytest.approx(eight[key].value), key
    assert abs(sixteen["luma_mean_shift"].value) < 3  # a white image would be tens of L* brighter


def test_classical_rows_all_compute_on_a_large_output():
    """Every classical row on a 3.8-megapixel output (what they cost: benchmarks/bench_report.py)."""
    hr = load("baboon")
    big = pil_bicubic(hr, (2000, 1920))
    report = iqa.assess(big, hr, metrics=CLASSICAL)
    assert [r.key for r in report.rows] == CLASSICAL
    assert all(r.available and r.value is not None and math.isfinite(r.baseline) for r in report.rows)


def test_colourfulness_change_of_a_grey_input_stays_small():
    """A trace of chroma on a grey input is not a huge relative change (floor M = 15)."""
    grey = np.repeat(load("bridge")[:128, :128, :1], 3, axis=2)
    tinted = np.clip(grey.astype(int) + [1, 0, -1], 0, 255).astype(np.uint8)
    low = pil_bicubic(grey, (64, 64))
    change = tone.tone_cues(pil_bicubic(tinted, (64, 64)), low).colourfulness_change
    assert 0 < change < 20
    report = iqa.assess(tinted, low, metrics=["colourfulness_change"])
    assert report["colourfulness_change"].warning == ""
