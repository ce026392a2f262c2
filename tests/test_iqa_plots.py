"""iqa.report.plots: the spectrum, detail-added and tone pictures, their data, and liif score --plots."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from iqa.report import plots
from liif.resize import pil_bicubic


@pytest.fixture(scope="module")
def pair():
    """A sharp photo (as an ideal enlargement) and its x4 input; bicubic of the input is the baseline."""
    sharp = data.astronaut()[64:320, 64:320]
    low = pil_bicubic(sharp, (64, 64))
    return sharp, low, pil_bicubic(low, (256, 256))


def test_the_true_image_has_power_beyond_the_inputs_nyquist_that_bicubic_lacks(pair):
    sharp, _, bicubic = pair
    freq, truth = plots.radial_spectrum(sharp)
    _, smooth = plots.radial_spectrum(bicubic)
    beyond = freq > 0.25  # the x4 input's Nyquist, in the output's units
    assert freq.min() > 0 and freq.max() < 1 and truth.shape == freq.shape
    assert truth[beyond].sum() > 10 * smooth[beyond].sum()
    assert truth[~beyond].sum() == pytest.approx(smooth[~beyond].sum(), rel=0.5)  # the input's band is kept


def test_detail_added_is_zero_for_bicubic_and_follows_the_edges_otherwise(pair):
    sharp, _, bicubic = pair
    assert np.abs(plots.detail_added(bicubic, bicubic)).max() == 0
    detail = plots.detail_added(sharp, bicubic)
    gradient = np.hypot(*np.gradient(sharp.mean(axis=2)))
    edges, flat = gradient > np.percentile(gradient, 80), gradient < np.percentile(gradient, 20)
    assert detail[edges].mean() > 3 * detail[flat].mean()


def test_tone_difference_is_zero_for_a_faithful_output_and_sees_a_colour_shift(pair):
    sharp, low, _ = pair
    assert plots.tone_difference(pil_bicubic(low, (256, 256)), low).mean() < 1.0
    warmer = np.clip(sharp.astype(int) + [25, 0, -25], 0, 255).astype(np.uint8)
    assert plots.tone_difference(warmer, low).mean() > 5.0


def test_liif_score_writes_the_three_pictures_with_their_captions(tmp_path, pair, capsys):
    from studio.cli import main

    sharp, low, _ = pair
    Image.fromarray(sharp).save(tmp_path / "out.png")
    Image.fromarray(low).save(tmp_path / "in.png")
    assert main(["score", str(tmp_path / "out.png"), "--input", str(tmp_path / "in.png"), "--format", "json",
                 "--metrics", "laplacian_var", "--plots", str(tmp_path / "plots")]) == 0
    printed = capsys.readouterr()
    assert printed.out.lstrip().startswith("{")  # stdout is still the report alone
    for name in ("spectrum", "detail", "tone"):
        path = tmp_path / "plots" / f"{name}.png"
        with Image.open(path) as im:
            assert im.size[0] >= 600 and im.size[1] >= 300
        assert f"{path}: " in printed.err
    assert "input could not hold" in printed.err
