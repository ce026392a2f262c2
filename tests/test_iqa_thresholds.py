"""The cues' thresholds can be refitted and run under by a program (issue 35's leave-one-family-out figures)."""
from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest
from conftest import astronaut_pair, to_uint8

import iqa
from iqa.cues import artefacts
from iqa.validity import alteration, thresholds
from liif.resize import pil_bicubic


def test_every_threshold_names_a_constant_its_cue_reads_and_a_row_of_the_catalogue():
    for t in thresholds.THRESHOLDS:
        assert isinstance(getattr(importlib.import_module(t.module), t.name), float | int), t.name
        assert t.row in iqa.catalog.METRICS, t.row
        assert t.side in ("above", "below")
        assert t.warning in {w.name for w in iqa.catalog.METRICS[t.row].warns}, t.name


def test_the_fit_keeps_every_clean_value_on_the_quiet_side_with_a_tenth_to_spare():
    above = next(t for t in thresholds.THRESHOLDS if t.name == "HALO_ADDED")
    assert above.fit([0.1, 0.3, 0.2]) == pytest.approx(0.33)
    below = next(t for t in thresholds.THRESHOLDS if t.name == "TEXTURE_KEPT")
    assert below.fit([0.9, 0.8, 1.2]) == pytest.approx(0.72)
    assert below.fit([1.5, 1.6]) == 1.0  # never past its ceiling: keeping all the texture is never a loss
    assert above.fit([0.1, 0.3], [0.9, 1.1]) == pytest.approx(0.6)  # apart: the middle of the gap
    # Overlapping: what lies on the quiet side cannot be caught; the middle of the gap up to what can.
    assert above.fit([0.1, 0.3], [0.2, 1.1]) == pytest.approx(0.7)
    assert above.fit([0.1, 0.3], [0.2, 0.31]) == pytest.approx(0.33)  # nothing catchable: the quiet side's
    assert above.fit([0.1, 0.3], [0.34, 0.9]) == pytest.approx(0.33)  # never closer than the tenth spared
    assert below.fit([0.9, 0.8], [0.4, 0.5]) == pytest.approx(0.65)
    noise = next(t for t in thresholds.THRESHOLDS if t.name == "NOISE_ADDED")
    assert noise.fit([0.1, 0.2]) == 1.0  # never under the perceptibility floor (1 grey level)
    assert noise.fit([]) == noise.current()  # no data: today's


def test_overridden_changes_what_the_cue_decides_and_restores_it():
    hr, low = astronaut_pair()
    bic = pil_bicubic(low, (256, 256))
    noisy = to_uint8(bic + np.random.default_rng(0).normal(0, 3, bic.shape))
    before = artefacts.NOISE_ADDED
    assert iqa.assess(noisy, low, metrics=["noise_sigma"])["noise_sigma"].warning == "added noise"
    with thresholds.overridden({"NOISE_ADDED": 50.0}):
        assert artefacts.NOISE_ADDED == 50.0
        assert iqa.assess(noisy, low, metrics=["noise_sigma"])["noise_sigma"].warning == ""
    assert artefacts.NOISE_ADDED == before


def test_fit_all_reads_the_clean_rows_statistics():
    hr, low = astronaut_pair()
    rows = {r.key: r for r in iqa.assess(pil_bicubic(low, (256, 256)), low).rows}
    fitted = thresholds.fit_all([rows], scale=4)
    assert set(fitted) == {t.name for t in thresholds.THRESHOLDS}
    assert fitted["NOISE_ADDED"] == 1.0  # bicubic against itself: no excess, so the floor


def test_fit_all_keeps_quiet_where_the_warning_would_be_a_wrong_reason():
    hr, low = astronaut_pair()
    rows = {r.key: r for r in iqa.assess(pil_bicubic(low, (256, 256)), low, metrics=["banding"]).rows}

    def banding(lost: float) -> dict:  # warning as the row would, under today's threshold
        warning = "banding" if lost >= artefacts.BANDING_LOST else ""
        return {"banding": dataclasses.replace(rows["banding"], value=lost, warning=warning)}
    vignette = (alteration("gamma_0.75"), banding(0.3))  # banding would be a wrong reason for it
    posterised = (alteration("posterise_4"), banding(0.6))
    fitted = thresholds.fit_all([banding(0.05)], 4, [vignette, posterised])["BANDING_LOST"]
    assert fitted == pytest.approx(0.45)  # between the gamma and the posterised result, not 0.325
    assert thresholds.fit_all([banding(0.05)], 4, [posterised])["BANDING_LOST"] == pytest.approx(0.325)


def test_a_cue_with_its_own_tone_excuse_is_not_fitted_against_tone_changes():
    hr, low = astronaut_pair()
    rows = {r.key: r for r in iqa.assess(pil_bicubic(low, (256, 256)), low, metrics=["halo_overshoot"]).rows}

    def halos(excess: float) -> dict:
        row = rows["halo_overshoot"]
        warning = "halos" if excess >= artefacts.HALO_ADDED else ""
        return {"halo_overshoot": dataclasses.replace(row, value=row.baseline + excess, warning=warning)}
    contrast, sharpened = (alteration("contrast_1.35"), halos(5.0)), (alteration("unsharp_strong"), halos(0.5))
    assert thresholds.fit_all([halos(0.02)], 4, [contrast, sharpened])["HALO_ADDED"] == pytest.approx(0.26)


def test_a_quiet_row_held_back_by_another_rule_does_not_move_its_threshold():
    """A clean output's halo mean past today's threshold with no warning was kept quiet by the halo's other rules (its
    peak under the floor, as much overshoot farther away): where the threshold lies tells it nothing."""
    hr, low = astronaut_pair()
    row = {r.key: r for r in iqa.assess(pil_bicubic(low, (256, 256)), low, metrics=["halo_overshoot"]).rows}
    row = row["halo_overshoot"]

    def halos(excess: float, warning: str = "") -> dict:
        return {"halo_overshoot": dataclasses.replace(row, value=row.baseline + excess, warning=warning)}
    sharpened = (alteration("unsharp_strong"), halos(0.5, "halos"))
    held = halos(0.18)  # past today's 0.08, yet quiet
    assert artefacts.HALO_ADDED < 0.18
    assert thresholds.fit_all([halos(0.02), held], 4, [sharpened])["HALO_ADDED"] == pytest.approx(0.26)
    warned_anyway = halos(0.18, "halos")  # a clean output that did warn: the threshold must pass it
    assert thresholds.fit_all([halos(0.02), warned_anyway], 4, [sharpened])["HALO_ADDED"] == pytest.approx(0.34)


def test_a_fit_on_clean_values_of_zero_stays_above_them():
    isolated = next(t for t in thresholds.THRESHOLDS if t.name == "ISOLATED_ADDED")
    assert isolated.fit([0.0, 0.0]) == pytest.approx(isolated.step) and isolated.step > 0
