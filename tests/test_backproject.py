"""Iterative back-projection: the correction, its fixed point, and the engine option."""
from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import torch

import liif
from liif.backproject import back_project
from liif.errors import InputError
from liif.evaluate import liif_upscale, make_pair
from liif.metrics import psnr_y
from liif.resize import imresize


def _consistency_error(sr: torch.Tensor, lr: torch.Tensor) -> float:
    return float((imresize(sr, tuple(lr.shape[-2:])) - lr).abs().mean())


def test_each_pass_brings_the_shrunk_output_closer_to_the_input():
    torch.manual_seed(0)
    lr = torch.rand(1, 3, 12, 15) * 0.6 + 0.2
    sr = torch.rand(1, 3, 48, 60) * 0.6 + 0.2
    errors = [_consistency_error(back_project(sr, lr, n), lr) for n in range(4)]
    assert errors[0] > 0.05
    assert all(b < a for a, b in pairwise(errors))
    assert errors[3] < errors[0] / 5


def test_a_consistent_output_is_left_as_it_is():
    torch.manual_seed(1)
    sr = torch.rand(1, 3, 40, 28) * 0.6 + 0.2
    lr = imresize(sr, (10, 7))
    torch.testing.assert_close(back_project(sr, lr, 3), sr, atol=1e-5, rtol=0)
    assert back_project(sr, lr, 0) is sr


def test_negative_passes_are_refused():
    with pytest.raises(ValueError):
        back_project(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 2, 2), -1)


@pytest.mark.parametrize("bad", [-1, 11, 1.5, "3"])
def test_engine_refuses_a_bad_number_of_passes(tiny_model, bad):
    with pytest.raises(InputError, match="backproject"):
        liif.Upscaler(tiny_model, backproject=bad)


def test_engine_corrects_whole_renders_towards_the_truth(tiny_model, photo):
    """A random tiny model's output is far from consistent: back-projection must raise its PSNR."""
    hr, lr = make_pair(photo, 4)
    plain = liif_upscale(tiny_model, lr, hr.shape[:2])
    corrected = liif_upscale(tiny_model, lr, hr.shape[:2], backproject=3)
    assert psnr_y(corrected, hr, 4) > psnr_y(plain, hr, 4) + 1.0


def test_engine_leaves_zoom_windows_uncorrected(tiny_model, photo):
    rgb = photo.astype(np.float32) / 255
    plain = liif.Upscaler(tiny_model, device="cpu")
    bp = liif.Upscaler(tiny_model, device="cpu", backproject=2)
    window = dict(rows=(10, 50), cols=(20, 70))
    np.testing.assert_array_equal(bp.render(rgb, 240, 288, **window), plain.render(rgb, 240, 288, **window))
    assert not np.array_equal(bp.render(rgb, 240, 288), plain.render(rgb, 240, 288))
