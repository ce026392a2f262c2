"""The validity suite's harness (issue 31): alterations do what they say, reasons, false alarms, splits.

Fast and self-contained: synthetic images and hand-built reports, no ../shared and no model.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import color

import iqa
from iqa import validity
from iqa.report import Report, Score
from iqa.report.verdict import ADDED
from liif.resize import pil_bicubic

REPO = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("iqa_validity_bench", REPO / "benchmarks" / "iqa_validity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _bench()


@pytest.fixture(scope="module")
def texture() -> np.ndarray:
    """A 96x96 RGB image with fine texture, a smooth gradient and a hard edge."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:96, 0:96]
    base = 60 + 1.2 * xx[..., None] + np.array([0, 20, 40])
    base[:, 48:] += 50  # an edge
    grain = rng.normal(0, 12, (96, 96, 3))
    grain[:48, :] = 0  # the top half stays a smooth gradient
    return np.clip(np.rint(base + grain), 0, 255).astype(np.uint8)


def _make(key: str, image: np.ndarray) -> np.ndarray:
    low = pil_bicubic(image, (image.shape[1] // 4, image.shape[0] // 4))
    return validity.alteration(key).make(image, low)


def _laplacian_energy(image: np.ndarray) -> float:
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    return float(cv2.Laplacian(luma, cv2.CV_64F).var())


def _high_band_share(image: np.ndarray, cutoff: float) -> float:
    """Share of the luma's spectral power above ``cutoff`` cycles per pixel (on either axis)."""
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    power = np.abs(np.fft.fft2(luma - luma.mean())) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(luma.shape[0]), np.fft.fftfreq(luma.shape[1]), indexing="ij")
    return float(power[np.maximum(np.abs(fx), np.abs(fy)) > cutoff].sum() / power.sum())


# --------------------------------------------------------------------------- alterations
def test_every_alteration_keeps_shape_and_type_and_names_its_reasons(texture):
    keys = [a.key for a in validity.ALTERATIONS]
    assert len(keys) == len(set(keys))
    for a in validity.ALTERATIONS:
        out = _make(a.key, texture)
        assert out.shape == texture.shape and out.dtype == np.uint8, a.key
        assert a.description and a.reasons, a.key
        assert not a.reasons & a.forbidden, a.key
    for key in ("bicubic", "unsharp_weak", "unsharp_strong", "noise_3", "noise_8", "blur", "jpeg_q30",
                "shift_1px", "colour_cast", "nearest"):  # the first suite's ten stay
        validity.alteration(key)
    with pytest.raises(ValueError, match="median_5"):
        validity.alteration("no such")


@pytest.mark.parametrize("key", ["median_5", "bilateral"])
def test_smoothing_lowers_fine_scale_energy(texture, key):
    out = _make(key, texture)
    grain = slice(48, 96)  # the textured half
    assert _laplacian_energy(out[grain]) < 0.5 * _laplacian_energy(texture[grain])
    assert not np.array_equal(out, texture)


def test_bilateral_keeps_the_edge_while_it_smooths_texture(texture):
    out = _make("bilateral", texture).astype(float)
    left, right = out[:48, 40:46].mean(), out[:48, 50:56].mean()
    assert right - left > 40  # the 50-level step survives


def test_down_up_halves_the_bandwidth():
    rng = np.random.default_rng(2)
    noise = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)  # a flat spectrum up to Nyquist
    out = validity.down_up(noise, 2)
    assert out.shape == noise.shape
    # Above half of Nyquist (0.25 cycles/px) almost nothing is left; below it most of the power stays.
    assert _high_band_share(noise, 0.3) > 0.4
    assert _high_band_share(out, 0.3) < 0.05 * _high_band_share(noise, 0.3)
    assert np.array_equal(_make("down_up_2", noise), out)


@pytest.mark.parametrize("bits", [5, 4])
def test_posterisation_leaves_at_most_2_to_the_bits_levels(bits):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    out = _make(f"posterise_{bits}", image)
    mask = (1 << (8 - bits)) - 1
    for c in range(3):
        assert len(np.unique(out[..., c])) <= 2 ** bits
    assert len(np.unique(image[..., 0])) > 2 ** bits  # so the bound is not trivially met
    assert np.all(out <= image) and np.all(image - out <= mask)  # x & ~mask: the low bits dropped, nothing else


def test_posterise_smooth_bands_only_the_smooth_gradient(texture):
    out = _make("posterise_smooth", texture)
    smooth = validity.smooth_mask(texture)
    assert smooth[:40].mean() > 0.9 and smooth[56:].mean() < 0.1  # the gradient is smooth, the grain is not
    for c in range(3):
        assert len(np.unique(out[..., c][smooth])) <= 16
    assert np.array_equal(out[~smooth], texture[~smooth])
    assert not np.array_equal(out[smooth], texture[smooth])
    # Rounded, not truncated: the mean brightness of the banded area hardly moves.
    assert abs(out[smooth].astype(float).mean() - texture[smooth].astype(float).mean()) < 2


@pytest.mark.parametrize("key", ["gamma_0.75", "contrast_1.35", "saturation_1.5", "colour_cast"])
def test_tone_alterations_are_a_function_of_the_colour_alone(texture, key):
    """Only tone: the same colour maps to the same colour wherever it is (no spatial operation)."""
    out = _make(key, texture)
    flat = texture.reshape(-1, 3)
    order = np.random.default_rng(4).permutation(len(flat))
    shuffled = flat[order].reshape(texture.shape)
    assert np.array_equal(_make(key, shuffled).reshape(-1, 3), out.reshape(-1, 3)[order])
    assert not np.array_equal(out, texture)


def test_each_tone_alteration_changes_what_it_says(texture):
    img = texture.astype(float)
    gamma = _make("gamma_0.75", texture).astype(float)
    assert gamma.mean() > img.mean() + 5 and np.all(gamma >= img - 0.5)  # brighter mid-tones, nothing darker
    contrast = _make("contrast_1.35", texture).astype(float)
    assert contrast.std() > 1.2 * img.std()
    inside = (contrast > 0) & (contrast < 255)  # about mid-grey wherever it is not clipped
    assert inside.mean() > 0.5
    assert np.abs(contrast - 127.5 - 1.35 * (img - 127.5))[inside].max() <= 0.5
    lab, sat = color.rgb2lab(texture), color.rgb2lab(_make("saturation_1.5", texture))
    chroma, sat_chroma = np.hypot(lab[..., 1], lab[..., 2]), np.hypot(sat[..., 1], sat[..., 2])
    assert sat_chroma.mean() > 1.3 * chroma.mean()
    assert np.abs(sat[..., 0] - lab[..., 0]).mean() < 2  # lightness kept
    hue_change = np.angle(np.exp(1j * (np.arctan2(sat[..., 2], sat[..., 1]) - np.arctan2(lab[..., 2], lab[..., 1]))))
    assert np.abs(hue_change[chroma > 10]).mean() < 0.1  # hue kept


def test_tone_alterations_forbid_added_artefacts_and_softer():
    for a in validity.ALTERATIONS:
        if a.family == "tone":
            assert set(ADDED) | {"banding", "softer"} <= a.forbidden, a.key
            assert {"brightness changed", "contrast changed", "colourfulness changed"} <= a.reasons, a.key


# --------------------------------------------------------------------------- verdict_reason
def _row(key: str, group: str, value: float, baseline: float | None, warning: str = "",
         direction: str = "lower") -> Score:
    return Score(key, key, group, value, baseline, direction, "0 to 1", "reading", warning=warning)


def report(level: str = "sharper", problems: tuple[str, ...] = (), psnr: tuple[float, float] = (30.0, 29.0),
           ssim: tuple[float, float] = (0.9, 0.85)) -> Report:
    """A hand-built report: a sharpness row at ``level``, one warning row per problem, PSNR-Y and SSIM rows."""
    ratio, warning = {"sharper": (3.0, ""), "same": (1.0, "no sharper than bicubic"),
                      "softer": (0.5, "softer than bicubic")}[level]
    rows = [_row("laplacian_var", "sharpness", 10.0 * ratio, 10.0, warning, "higher")]
    rows += [_row(f"cue_{i}", "tone", 1.0, 0.0, p) for i, p in enumerate(problems)]
    rows += [_row("psnr_y", "full-reference", psnr[0], psnr[1], direction="higher"),
             _row("ssim_y", "full-reference", ssim[0], ssim[1], direction="higher")]
    return Report(rows, {})


NOISE, BLUR, GAMMA, POSTER = (validity.alteration(k) for k in ("noise_3", "blur", "gamma_0.75", "posterise_4"))


@pytest.mark.parametrize("liif,altered,alteration,expected", [
    (report(), report(problems=("added noise",)), NOISE, "right"),
    (report(), report(problems=("added noise", "saliency moved")), NOISE, "right"),  # a right one is enough
    (report(), report(problems=("colour shift",)), NOISE, "wrong"),  # flagged, for no reason of its own
    (report(), report(), NOISE, "missed"),
    (report(), report("softer"), BLUR, "right"),
    (report(), report("same"), BLUR, "right"),
    (report("same"), report("same"), BLUR, "missed"),  # the level must drop below the clean output's
    (report("softer"), report("softer"), BLUR, "missed"),
    (report(), report(problems=("brightness changed",)), GAMMA, "right"),
    (report(), report(problems=("brightness changed", "halos")), GAMMA, "wrong"),  # named beside an artefact
    (report(), report("softer", ("contrast changed",)), GAMMA, "wrong"),
    (report(), report(problems=("banding",)), GAMMA, "wrong"),
    (report(), report("same", ("colour shift",)), GAMMA, "right"),
    (report(), report(problems=("banding",)), POSTER, "right"),
    (report(problems=("saliency moved",)), report(problems=("saliency moved",)), NOISE, "missed"),  # not new
    (report(problems=("added noise",)), report(problems=("added noise",)), NOISE, "missed"),
])
def test_verdict_reason(liif, altered, alteration, expected):
    assert validity.verdict_reason(liif, altered, alteration) == expected


def test_verdict_reason_ignores_the_reference_rows():
    """The verdict is read without the reference: a worse PSNR alone flags nothing."""
    clean, altered = report(), report(psnr=(20.0, 29.0), ssim=(0.5, 0.85))
    assert validity.truth(clean, altered) == "worse"
    assert validity.verdict_reason(clean, altered, NOISE) == "missed"


def test_verdict_signals_are_new_problems_and_a_lower_level():
    judge = iqa.verdict.judge
    clean, altered = judge(report(problems=("halos",))), judge(report("softer", ("halos", "banding")))
    signals = validity.verdict_signals(clean, altered)
    assert signals == {"banding", "softer"}
    assert validity.verdict_signals(judge(report("softer")), judge(report("sharper"))) == frozenset()


# --------------------------------------------------------------------------- false alarms
def test_false_alarm_on_a_clean_output_at_least_as_good_as_bicubic():
    assert validity.false_alarm(report()) is None
    alarm = validity.false_alarm(report(problems=("added noise",)))
    assert alarm is not None and "added noise" in alarm.problems
    assert validity.false_alarm(report("softer")) is not None
    assert validity.false_alarm(report("same")) is None  # "no sharper" is no alarm
    # Equal to bicubic counts as at least as good; below it on either score is not counted at all.
    assert validity.at_least_bicubic(report(psnr=(29.0, 29.0), ssim=(0.85, 0.85)))
    assert validity.false_alarm(report("softer", psnr=(28.0, 29.0))) is None
    assert validity.false_alarm(report("softer", ssim=(0.8, 0.85))) is None
    with pytest.raises(ValueError):
        validity.at_least_bicubic(Report([_row("laplacian_var", "sharpness", 1.0, 1.0)], {}))


def test_the_suite_counts_false_alarms_per_model_and_scale(bench):
    result = bench.SplitResult("held-out")
    bench.count_clean(result, "Set5/a", "m1", 4, report())
    bench.count_clean(result, "Set5/a", "m1", 4, report(problems=("halos",)))
    bench.count_clean(result, "Set5/b", "m1", 2, report("softer", psnr=(20.0, 29.0)))  # worse: not eligible
    bench.count_clean(result, "Set5/b", "m2", 4, report("softer"))
    assert result.alarms[("m1", 4)] == {"outputs": 2, "eligible": 2, "alarms": 1}
    assert result.alarms[("m1", 2)]["eligible"] == 0 and result.alarms[("m1", 2)]["alarms"] == 0
    assert bench.headline(result)["false_alarms"] == (2, 3)
    assert len(result.alarm_list) == 2 and result.alarm_list[0].startswith("Set5/a m1 x4: ")
    assert "halos" in result.alarm_list[0]
    assert not bench.targets_met(result, bench.Targets())["false_alarms"]
    assert bench.targets_met(result, bench.Targets(false_alarms=0.7))["false_alarms"]


def test_separation_finds_the_largest_margin_threshold(bench):
    sep = bench.separation([1.0, 2.0, 3.0], [5.0, 6.0, 7.0])
    assert (sep.side, sep.margin, sep.threshold, sep.caught) == ("above", 2.0, 4.0, 3)
    sep = bench.separation([1.0, 2.0, 3.0], [-1.0, 2.5])
    assert sep.side == "below" and sep.margin == pytest.approx(-1.5) and sep.caught == 1
    assert bench.separation([], [1.0]) is None


# --------------------------------------------------------------------------- splits
def _files(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")
    return [folder / n for n in names]


def test_the_split_is_deterministic_and_disjoint(tmp_path):
    pool = _files(tmp_path / "BSD200", [f"{i:06d}.png" for i in range(200)])
    held = _files(tmp_path / "eval", ["baby.png", "bird.png"])
    config = validity.SplitConfig(fit_every=5, fit_count=40)
    splits = validity.make_splits(pool, held, config)
    assert len(splits.fit) == 40 and splits.fit[0].name == "000000.png" and splits.fit[1].name == "000005.png"
    shuffled = pool[:]
    random.Random(5).shuffle(shuffled)
    assert validity.make_splits(shuffled, held[::-1], config) == splits
    assert not set(splits.fit) & set(splits.held_out)
    with pytest.raises(ValueError, match="share"):
        validity.make_splits(pool, held + [pool[10]], config)
    assert len(validity.make_splits(pool[:30], held, config).fit) == 6  # a small pool gives what it has


def test_crops_divide_by_every_scale():
    hr = np.zeros((321, 481, 3), np.uint8)
    crop = validity.crop_to_multiple(hr, 24)
    assert crop.shape == (312, 480, 3)
    for scale in validity.SplitConfig().scales:
        assert validity.make_pair(crop, scale).shape == (312 // scale, 480 // scale, 3)
    with pytest.raises(ValueError):
        validity.make_pair(hr, 4)
    with pytest.raises(ValueError):
        validity.crop_to_multiple(np.zeros((20, 20, 3), np.uint8), 24)


def test_degenerate_cases_expect_what_iqa_says(bench):
    """The suite's degenerate inputs, enlarged by bicubic here, read as the suite expects."""
    for label, low, expected in bench.degenerate_cases():
        out = pil_bicubic(low, (low.shape[1] * 4, low.shape[0] * 4))
        assert iqa.assess(out, low).verdict.startswith(expected), label


def test_separation_on_a_given_side(bench):
    sep = bench.separation([1.0, 2.0, 3.0], [2.5, 2.6], side="below")
    assert sep.side == "below" and sep.margin == pytest.approx(1.0 - 2.6) and sep.caught == 0
