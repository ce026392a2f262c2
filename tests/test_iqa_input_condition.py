"""The report names the input's condition: a JPEG input's blocks magnified by a clean-trained model are
flagged, and an output without them is not (issue 30's cases of the validity suite)."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import iqa
import liif
from liif.degrade import jpeg
from liif.evaluate import make_pair

KEYS = ["input_blocks", "jpeg_blockiness", "laplacian_var", "noise_sigma", "halo_overshoot", "consistency_psnr"]
PHOTOS = {"coffee": data.coffee()[:256, :320], "astronaut": data.astronaut()[:256, :256],
          "chelsea": data.chelsea()[:256, :320]}


@pytest.fixture(scope="module")
def cases():
    """Per photo: the q50 input, the clean-trained default's output of it, and an output free of its blocks."""
    up = liif.Upscaler(liif.create_model(liif.DEFAULT_MODEL))
    found = {}
    for name, photo in PHOTOS.items():
        _, lr = make_pair(photo, 2)
        lq = jpeg(lr, 50)
        found[name] = lq, up.upscale(lq, scale=2), up.upscale(lr, scale=2)
    return found


@pytest.mark.parametrize("name", list(PHOTOS))
def test_a_clean_trained_model_on_a_q50_input_is_flagged(cases, name):
    lq, magnified, _ = cases[name]
    report = iqa.assess(magnified, lq, metrics=KEYS)
    assert "JPEG blocks magnified" in iqa.judge(report).problems
    assert "magnifies the input's JPEG blocks" in report.verdict
    assert report.meta["input_condition"].startswith("input: JPEG, quality about 50")
    assert report.meta["input_condition"].endswith("its block artefacts are magnified")


@pytest.mark.parametrize("name", list(PHOTOS))
def test_an_output_without_the_inputs_blocks_is_not_flagged_for_them(cases, name):
    lq, _, free = cases[name]
    report = iqa.assess(free, lq, metrics=KEYS)
    assert "JPEG blocks magnified" not in iqa.judge(report).problems
    assert report["input_blocks"].value < report["input_blocks"].baseline
    assert report.meta["input_condition"].endswith("its block artefacts were removed")


def test_a_clean_input_says_so_and_raises_nothing():
    photo = PHOTOS["coffee"]
    _, lr = make_pair(photo, 2)
    out = liif.bicubic(lr, size=(lr.shape[1] * 2, lr.shape[0] * 2))
    report = iqa.assess(out, lr, metrics=KEYS)
    assert not report["input_blocks"].warning
    assert report.meta["input_condition"].startswith("input: image, no sign of JPEG compression")


@pytest.mark.parametrize("name", list(PHOTOS))
def test_the_real_input_models_output_is_not_flagged(cases, name):
    """The bundled model trained on degraded inputs removes the blocks that the clean-trained one magnifies."""
    from liif.condition import REAL_INPUT_MODEL

    assert REAL_INPUT_MODEL in liif.list_models()
    lq, magnified, _ = cases[name]
    real = liif.Upscaler(liif.create_model(REAL_INPUT_MODEL)).upscale(lq, scale=2)
    report = iqa.assess(real, lq, metrics=KEYS)
    assert "JPEG blocks magnified" not in iqa.judge(report).problems
    assert report["input_blocks"].value < iqa.assess(magnified, lq, metrics=["input_blocks"])["input_blocks"].value
    assert iqa.judge(report).clean, report.verdict  # nor cried wolf for departing from the JPEG's artefacts


def test_departing_from_a_clean_input_is_still_flagged(cases):
    """The consistency cue forgives only a compressed input: a clean one held to its pixels as before."""
    photo = PHOTOS["coffee"]
    _, lr = make_pair(photo, 2)
    shifted = np.roll(liif.bicubic(lr, size=(lr.shape[1] * 2, lr.shape[0] * 2)), 3, axis=1)
    report = iqa.assess(shifted, lr, metrics=["consistency_psnr"])
    assert report["consistency_psnr"].warning == "departs from the input"


def test_the_callers_inspection_of_the_file_is_used(tmp_path):
    """A JPEG's quality read from its file's tables is exact; the decoded pixels only allow an estimate."""
    from PIL import Image

    from liif.resize import pil_bicubic

    photo = np.ascontiguousarray(data.astronaut()[:128, :128])
    path = tmp_path / "q60.jpg"
    Image.fromarray(photo).save(path, quality=60)
    decoded = np.asarray(Image.open(path).convert("RGB"))
    from_file = liif.inspect(path)
    assert from_file.quality_source == "quantisation tables" and from_file.jpeg_quality == 60
    out = pil_bicubic(decoded, (256, 256))
    told = iqa.assess(out, decoded, metrics=["input_blocks"], input_condition=from_file)
    assert "from its quantisation tables" in told.meta["input_condition"]
    guessed = iqa.assess(out, decoded, metrics=["input_blocks"])
    assert "from its quantisation tables" not in guessed.meta["input_condition"]


def test_an_input_read_as_jpeg_but_showing_no_grid_has_no_blocks_to_magnify_and_no_excuse():
    """Small drawn text can read as JPEG q25-30 to liif.inspect with no 8x8 grid in sight (issue 35's text family):
    nothing is then called magnified blocks, and departing from the input is not excused as removing them."""
    from iqa.cues.artefacts import input_blocks
    from iqa.cues.base import Views
    from iqa.cues.jpeg_input import jpeg_expected, jpeg_grid_seen
    from liif.condition import InputReport
    from liif.resize import pil_bicubic

    _, low = make_pair(PHOTOS["coffee"], 4)
    size = (low.shape[1] * 4, low.shape[0] * 4)
    bic = pil_bicubic(low, size)
    views = Views(bic, bic, low, 4.0)
    views.shared("input_condition", lambda: InputReport(None, 30, "block grid", 1.0, 0.5))  # as misread
    assert views.input_condition().compressed and not jpeg_grid_seen(views)
    assert jpeg_expected(views) == ""
    cue = input_blocks(views)
    assert cue.warning == "" and "no 8x8 grid to magnify" in cue.reading
