"""The verdict's rules on the validity suite's cases (a made x4 scene) and in the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import astronaut_pair
from PIL import Image

import iqa
from iqa import cli, validity
from iqa.report import Report, Score
from iqa.report.verdict import judge

CLASSICAL = [k for k, m in iqa.METRICS.items() if m.kind == "classical"]


@pytest.fixture(scope="module")
def scene():
    """(HR 256x256, its x4 input, a stand-in for a good upscaler's output).

    The stand-in is the HR slightly softened (Gaussian sigma 0.7): sharper than bicubic, clean, and
    less perfect than the HR itself (it keeps about 86% of the input's fine texture). The suite's
    alterations are applied to it as they are to a model's output.
    """
    import cv2

    hr, low = astronaut_pair()
    return hr, low, cv2.GaussianBlur(hr, (0, 0), 0.7)


@pytest.fixture(scope="module")
def reports(scene):
    hr, low, out = scene
    good = iqa.assess(out, low, reference=hr, metrics=CLASSICAL + ["psnr_y", "ssim_y"], shave=4)
    altered = {a.key: iqa.assess(a.make(out, low), low, reference=hr, metrics=CLASSICAL + ["psnr_y", "ssim_y"], shave=4)
               for a in validity.ALTERATIONS}
    return good, altered


def test_a_clean_gain_reads_sharper(reports):
    good, _ = reports
    verdict = judge(validity.without_reference(good))
    assert verdict.level == "sharper" and verdict.clean
    assert verdict.text.startswith("Sharper than bicubic:")
    assert "the edge slope of bicubic" in verdict.text and "faithful to the input" in verdict.text


@pytest.mark.parametrize("key,named", [
    ("noise_8", "with added noise"),
    ("unsharp_strong", "with added halos"),
    ("jpeg_q30", "with added block artefacts"),
    ("nearest", "with added pixelation"),
])
def test_added_artefacts_are_named_not_called_sharper(reports, key, named):
    good, altered = reports
    verdict = judge(validity.without_reference(altered[key]))
    assert verdict.text.startswith("Sharper-looking, but " + named), verdict.text
    assert not verdict.clean and "Sharper than" not in verdict.text


@pytest.mark.parametrize("key,problem", [
    ("shift_1px", "departs from the input"),
    ("colour_cast", "colour shift"),
])
def test_changes_are_named(reports, key, problem):
    _, altered = reports
    verdict = judge(validity.without_reference(altered[key]))
    assert problem in verdict.problems, verdict.text


@pytest.mark.parametrize("key,levels", [("bicubic", {"same"}), ("blur", {"same", "softer"})])
def test_no_gain_is_not_sharper(reports, key, levels):
    _, altered = reports
    verdict = judge(validity.without_reference(altered[key]))
    assert verdict.level in levels, verdict.text
    assert not verdict.text.startswith("Sharper")
    if key == "blur":  # a blur of a sharp output loses the input's texture too
        assert "texture lost" in verdict.problems, verdict.text


def test_never_prefers_an_altered_result_the_truth_calls_worse(reports):
    good, altered = reports
    worse = [a for a in validity.ALTERATIONS if validity.truth(good, altered[a.key]) == "worse"]
    assert len(worse) >= len(validity.ALTERATIONS) - 3  # on this scene the truth is decisive nearly everywhere
    for alteration in worse:
        report = altered[alteration.key]
        assert not validity.verdict_prefers(good, report), alteration.key
        assert validity.verdict_flags(good, report), alteration.key
        assert validity.cue_flags(good, report), alteration.key


def test_reference_scores_lead(reports):
    good, altered = reports
    assert good.verdict.startswith("Closer to the reference than bicubic: PSNR-Y")
    worse = judge(altered["shift_1px"])
    assert worse.reference in ("further", "mixed")
    assert judge(good).better_than(worse)


def _row(key, value, baseline, warning="", group=None) -> Score:
    metric = iqa.METRICS[key]
    return Score(key, metric.name, group or metric.group, value, baseline, metric.direction, metric.range,
                 "reading", warning=warning)


def test_rules_on_rows():
    clean = Report([_row("laplacian_var", 30.0, 10.0), _row("consistency_psnr", 45.0, 38.0)])
    assert judge(clean).text.startswith("Sharper than bicubic: 3.0x the edge contrast")
    noisy = Report([_row("laplacian_var", 300.0, 10.0), _row("noise_sigma", 5.0, 0.2, "added noise"),
                    _row("consistency_psnr", 41.0, 38.0)])
    assert judge(noisy).text.startswith("Sharper-looking, but with added noise")
    assert judge(clean).better_than(judge(noisy)) and not judge(noisy).better_than(judge(clean))
    departs = Report([_row("laplacian_var", 30.0, 10.0),
                      _row("consistency_psnr", 29.0, 38.0, "departs from the input")])
    assert judge(departs).text.startswith("Sharper-looking, but it departs from the input")
    with_clip = Report(clean.rows + [_row("clip_clarity", 0.81, 0.62), _row("semantic_retention", 0.97, 0.98)])
    assert judge(with_clip).text.endswith("; CLIP: reads clearer than bicubic (0.81 vs 0.62), same picture (0.97).")
    # No sharpness row: no sharpness claim.
    assert judge(Report([_row("color_drift", 0.2, 0.3)])).level is None


def test_cli_shows_the_verdict_first(scene, tmp_path, capsys):
    hr, low, out = scene
    Image.fromarray(out).save(tmp_path / "out.png")
    Image.fromarray(low).save(tmp_path / "low.png")
    parser = cli.argparse.ArgumentParser()
    cli.add_score_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["score", str(tmp_path / "out.png"), "--input", str(tmp_path / "low.png"),
                              "--metrics", "laplacian_var", "noise_sigma", "consistency_psnr"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.startswith("verdict: Sharper than bicubic")
    args = parser.parse_args(["score", str(tmp_path / "out.png"), "--input", str(tmp_path / "low.png"),
                              "--metrics", "laplacian_var", "noise_sigma", "--format", "json"])
    assert args.func(args) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload)[0] == "verdict" and payload["verdict"].startswith("Sharper than bicubic")
    assert payload["rows"][1]["warning"] == ""


@pytest.mark.parametrize("low, words", [
    (np.full((4, 4, 3), (200, 0, 0), np.uint8), "Too small to judge: the input is 4x4 pixels"),
    (np.full((3, 3, 3), 90, np.uint8), "Too small to judge: the input is 3x3 pixels"),
    (np.full((64, 48, 3), (30, 120, 200), np.uint8), "Too flat to judge: the input is almost one colour"),
])
def test_a_tiny_or_one_colour_input_gets_no_ratios_and_no_warnings(low, words):
    """A flat 4x4 image once read 'Sharper-looking ... 487.9x the fine-detail energy of bicubic'."""
    import warnings

    import liif

    out = liif.bicubic(low, size=(low.shape[1] * 4, low.shape[0] * 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the server log once showed "Mean of empty slice"
        report = iqa.assess(out, low, metrics=[k for k in iqa.list_metrics() if iqa.catalog.get(k).kind == "classical"])
    assert report.verdict.startswith(words) and "x the" not in report.verdict
    assert iqa.judge(report).level is None and iqa.judge(report).clean


def test_an_ordinary_small_photo_is_still_judged(photo):
    import liif

    out = liif.bicubic(photo, size=(photo.shape[1] * 2, photo.shape[0] * 2))
    report = iqa.assess(out, photo, metrics=["laplacian_var", "noise_sigma"])
    assert report.meta["not_judged"] is None and "to judge" not in report.verdict


def test_a_deep_row_is_judged_only_once_the_suite_has_measured_it(monkeypatch):
    from iqa.report import verdict as verdict_module

    rows = [_row("laplacian_var", 30.0, 10.0), _row("consistency_psnr", 45.0, 38.0),
            _row("clip_clarity", 0.41, 0.52, warning="reads less clear than bicubic")]
    quoted = judge(Report(rows))
    assert quoted.clean and "CLIP: reads less clear than bicubic (0.41 vs 0.52)" in quoted.text
    monkeypatch.setattr(verdict_module, "JUDGED_DEEP_ROWS", frozenset({"clip_clarity"}))
    judged = judge(Report(rows))
    assert judged.problems == ("reads less clear than bicubic",)
    assert judged.text.startswith("Sharper-looking, but it reads less clear than bicubic to CLIP")
