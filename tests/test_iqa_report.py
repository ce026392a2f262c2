"""The report object (rows, JSON, table) and the `liif score` / `liif prefetch` CLI."""

from __future__ import annotations

import argparse
import json
import math

import pytest
from conftest import eval_triplet
from PIL import Image

import iqa
from iqa import cli
from iqa import weights as paths
from iqa.images import ImageInputError
from iqa.report import Report, Score

QUICK = ["laplacian_var", "hf_share", "consistency_psnr", "color_drift", "piqe", "psnr_y", "ssim_y"]


@pytest.fixture(scope="module")
def images():
    return eval_triplet("comic", 2)[:2]


@pytest.fixture
def files(images, tmp_path):
    hr, lr = images
    out = {"hr": tmp_path / "hr.png", "lr": tmp_path / "lr.png"}
    Image.fromarray(hr).save(out["hr"])
    Image.fromarray(lr).save(out["lr"])
    return out


def test_rows_carry_direction_baseline_and_reading(images):
    hr, lr = images
    report = iqa.assess(Image.fromarray(hr), Image.fromarray(lr), reference=hr, metrics=QUICK)
    assert isinstance(report, Report)
    assert [r.key for r in report.rows] == QUICK
    for row in report.rows:
        assert isinstance(row, Score)
        assert row.available and row.reason == ""
        assert row.direction == iqa.METRICS[row.key].direction
        assert row.range == iqa.METRICS[row.key].range
        assert row.baseline is not None and row.value is not None
        assert row.reading and row.group in iqa.catalog.GROUPS
    assert report.meta["scale"] == pytest.approx(2.0)
    assert report.meta["input_size"] == f"{lr.shape[1]}x{lr.shape[0]}"


def test_json_is_strict_and_complete(images):
    hr, lr = images
    report = iqa.assess(hr, lr, reference=hr, metrics=["psnr_y", "laplacian_var", "musiq"])
    data = json.loads(report.to_json())  # inf (identical images) must not break JSON
    rows = {r["key"]: r for r in data["rows"]}
    assert rows["psnr_y"]["value"] == "inf"
    assert math.isinf(report["psnr_y"].value)  # to_dict keeps the float; to_json writes "inf"
    assert rows["musiq"]["available"] is False and rows["musiq"]["value"] is None
    assert set(rows["laplacian_var"]) >= {"key", "name", "group", "value", "baseline", "direction",
                                          "range", "reading", "available", "reason", "gain"}
    assert rows["laplacian_var"]["gain"] > 0


def test_table_lists_every_row_with_its_group(images):
    hr, lr = images
    report = iqa.assess(hr, lr, metrics=QUICK[:5])
    table = report.to_table()
    for row in report.rows:
        assert row.name in table and row.reading in table
    assert "[sharpness]" in table and "[tone]" in table and "bicubic" in table


def test_unknown_metric_and_bad_reference(images):
    hr, lr = images
    with pytest.raises(ValueError, match="unknown metric"):
        iqa.assess(hr, lr, metrics=["no_such_metric"])
    with pytest.raises(ImageInputError, match="reference"):
        iqa.assess(hr, lr, reference=lr, metrics=["psnr_y"])
    row = iqa.assess(hr, lr, metrics=["psnr_y"])["psnr_y"]
    assert not row.available and "reference" in row.reason


def test_score_gain_and_comparison():
    row = Score("x", "X", "sharpness", 122.0, 100.0, "higher", "0 to 1", "r")
    assert row.gain == pytest.approx(0.22) and row.better_than_baseline is True
    row = Score("x", "X", "tone", 2.0, 1.0, "lower", "0 to 1", "r")
    assert row.better_than_baseline is False
    assert Score("x", "X", "tone", None, None, "lower", "", "", False, "why").gain is None


def parser():
    p = argparse.ArgumentParser(prog="liif")
    cli.add_score_parser(p.add_subparsers(dest="command", required=True))
    return p


def test_cli_score_json(files, capsys):
    args = parser().parse_args(["score", str(files["hr"]), "--input", str(files["lr"]),
                                "--reference", str(files["hr"]),
                                "--metrics", "laplacian_var,color_drift", "ssim_y",
                                "--format", "json", "--shave", "2"])
    assert args.func(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in data["rows"]] == ["laplacian_var", "color_drift", "ssim_y"]
    assert data["meta"]["shave"] == 2


def test_cli_score_table_and_errors(files, capsys):
    args = parser().parse_args(["score", str(files["hr"]), "--input", str(files["lr"]),
                                "--metrics", "tenengrad"])
    assert args.func(args) == 0
    assert "Tenengrad" in capsys.readouterr().out
    args = parser().parse_args(["score", "missing.png", "--input", str(files["lr"])])
    assert args.func(args) == 2
    assert "not found" in capsys.readouterr().err
    args = parser().parse_args(["score", str(files["hr"]), "--input", str(files["lr"]),
                                "--metrics", "bogus"])
    assert args.func(args) == 2


def test_cli_prefetch_and_metrics(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    args = parser().parse_args(["prefetch", "piqe"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "CC-BY-NC-SA-4.0" in out and str(tmp_path) in out and "ok   piqe" in out
    args = parser().parse_args(["metrics", "-v"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "piqe" in out and "musiq" in out and "unavailable" in out


def test_the_callers_bicubic_baseline_is_used_as_it_is():
    import numpy as np
    from skimage import data

    from liif.resize import pil_bicubic

    hr = np.ascontiguousarray(data.astronaut()[:128, :128])
    low = pil_bicubic(hr, (32, 32))
    bic = pil_bicubic(low, (128, 128))
    keys = ["laplacian_var", "consistency_psnr"]
    assert iqa.assess(hr, low, metrics=keys, bicubic=bic).rows == iqa.assess(hr, low, metrics=keys).rows
    with pytest.raises(iqa.ImageInputError, match="must have the output's size"):
        iqa.assess(hr, low, metrics=keys, bicubic=bic[:64])
