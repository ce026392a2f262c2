"""The shipped default weights: present, loadable by name, and better than bicubic on a real photo."""
from __future__ import annotations

import pytest
from skimage import data

import liif
from iqa.fr import psnr_y
from liif.checkpoint import read_card
from liif.evaluate import bicubic_upscale, liif_upscale, make_pair
from liif.zoo import resolve_model_path


def test_default_model_is_bundled_with_a_card():
    assert liif.DEFAULT_MODEL in liif.list_models()
    model = liif.load_model()  # no name: the default
    assert model.encoder.out_dim == 64 and [lin.out_features for lin in model.imnet.linears] == [256] * 4 + [3]
    card = read_card(resolve_model_path(None))
    assert card["step"] > 0 and card["config"]["train_dirs"]


@pytest.mark.parametrize("scale", [2, 4, 6])
def test_default_model_beats_bicubic(scale):
    """Standard protocol on a photo the model never saw (scikit-image's astronaut, a 240x240 crop)."""
    hr, lr = make_pair(data.astronaut()[40:280, 140:380], scale)
    model = liif.load_model()
    sr = liif_upscale(model, lr, hr.shape[:2])
    bic = bicubic_upscale(lr, hr.shape[:2])
    assert psnr_y(sr, hr, scale) > psnr_y(bic, hr, scale) + 0.3
