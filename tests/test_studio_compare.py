"""studio.compare and studio.reference: comparisons on one region, and the reference tab's protocol."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

import iqa
import liif
from iqa.cues.fr import psnr_y
from liif.evaluate import make_pair
from studio import compare, reference


@pytest.fixture(scope="module")
def up(tiny_model):
    return liif.Upscaler(tiny_model, precision="exact")


@pytest.fixture(scope="module")
def picture(photo):
    return Image.fromarray(photo)


def test_gain_is_a_ratio_without_unit_and_a_difference_with_one():
    lap, drift, shift = (iqa.METRICS[k] for k in ("laplacian_var", "color_drift", "luma_mean_shift"))
    assert compare.gain_kind(lap) == "ratio" and compare.gain(lap, 3.0, 1.5) == 2.0
    assert compare.gain_kind(drift) == "difference" and compare.gain(drift, 1.0, 3.0) == -2.0
    assert compare.gain_kind(shift) is None and compare.gain(shift, 1.0, 2.0) is None
    assert compare.gain(lap, 1.0, 0.0) is None and compare.gain(iqa.METRICS["consistency_psnr"], math.inf, 30) is None


def test_region_is_kept_inside_the_image(picture):
    region = compare.region_of(picture, 1.0, 0.0, 48)
    assert region.box == (48, 0, 96, 48) and region.side == 48 and region.centre == (72.0, 24.0)
    assert compare.region_of(picture, 0.5, 0.5, 500).side == 80  # at most the shorter side


def test_compare_scales_pairs_and_gains(up, picture):
    region = compare.region_of(picture, 0.5, 0.5, 20)
    gallery, table = compare.compare_scales(up, picture, [3, 2], region)
    assert [c for _, c in gallery] == ["bicubic x2 (40x40 px)", "LIIF x2 (40x40 px)",
                                       "bicubic x3 (60x60 px)", "LIIF x3 (60x60 px)"]
    assert {im.size for im, _ in gallery} == {(60, 60)}
    assert list(table.columns) == compare.SCALE_COLUMNS and set(table["Scale"]) == {2, 3}
    lap = table[table["Cue"] == "Laplacian variance"]
    np.testing.assert_allclose(lap["Gain over bicubic"], lap["LIIF"] / lap["Bicubic"], rtol=1e-3)
    assert "Laplacian variance" in compare.charted_cues(table)
    assert "Brightness shift" not in compare.charted_cues(table)  # no better direction: tabled, not charted


def test_gain_chart_has_the_scales_as_ticks_and_says_what_is_better(up, picture):
    _, table = compare.compare_scales(up, picture, [2, 3, 4], compare.region_of(picture, 0.5, 0.5, 16))
    fig = compare.gain_chart(table, "Laplacian variance")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x2", "x3", "x4"]
    assert "higher is better" in ax.get_title() and "Laplacian variance" in ax.get_title()
    assert "bicubic" in ax.get_ylabel()
    assert ax.lines[0].get_ydata()[0] == 1.0  # the bicubic level of a ratio
    drift = compare.gain_chart(table, "Colour drift").axes[0]
    assert "dE" in drift.get_ylabel() and drift.lines[0].get_ydata()[0] == 0.0
    assert compare.gain_chart(table, "Brightness shift") is None and compare.gain_chart(None, "x") is None


def test_compare_models_reports_each_method_against_bicubic(up, picture):
    region = compare.region_of(picture, 0.3, 0.6, 16)
    gallery, table = compare.compare_models([("bicubic", None), ("tiny", up)], picture, 4, region)
    assert list(table["Model"]) == ["bicubic", "tiny"] and len(gallery) == 2
    assert table["Edge contrast (x bicubic)"][0] == pytest.approx(1.0)
    assert table["Time (s)"][1] > 0 and gallery[1][1].startswith("tiny · ")
    assert {im.size for im, _ in gallery} == {(64, 64)}


def test_reference_protocol_is_liif_eval_s(up, photo):
    run = reference.degrade_and_score(up, Image.fromarray(photo), 3)
    hr, lr = make_pair(photo, 3)
    np.testing.assert_array_equal(run.reference, hr)
    np.testing.assert_array_equal(run.lowres, lr)  # MATLAB-compatible bicubic, as `liif eval`
    assert run.shave == 3
    sr = np.clip(np.rint(up.render(lr.astype(np.float32) / 255, hr.shape[0], hr.shape[1]) * 255), 0, 255)
    np.testing.assert_array_equal(run.result, sr.astype(np.uint8))
    assert run.report["psnr_y"].value == pytest.approx(psnr_y(run.result, hr, 3))
    assert run.report["psnr_y"].baseline == pytest.approx(psnr_y(run.bicubic, hr, 3))
    assert "**PSNR (Y)**: LIIF" in reference.gain_sentence(run.report)


def test_reference_too_small_says_what_to_change(up):
    with pytest.raises(liif.InputError, match="choose a smaller factor or a larger image"):
        reference.degrade_and_score(up, Image.new("RGB", (40, 40)), 8)


def test_error_maps_share_one_colour_scale():
    hr = np.full((16, 16, 3), 128, np.uint8)
    bic, res = hr.copy(), hr.copy()
    bic[:, :8] = 168  # bicubic wrong on the left half, LIIF exact
    run = reference.ReferenceResult(hr, hr[::2, ::2], res, bic, iqa.Report([]), 2, 2)
    err_b, err_l, top = reference.error_maps(run)
    assert top == pytest.approx(40 * (65.481 + 128.553 + 24.966) / 255, rel=1e-3)
    assert np.asarray(err_l).max() < 10  # black: no error (magma's first colour)
    assert tuple(np.asarray(err_b)[0, 0]) != tuple(np.asarray(err_b)[0, 15])
