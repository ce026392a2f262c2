"""The shipped default weights: present, loadable by name, and better than bicubic on a real photo."""
from __future__ import annotations

import pytest
from skimage import data

import liif
from iqa.cues.fr import psnr_y
from liif.checkpoint import read_card
from liif.evaluate import bicubic_upscale, liif_upscale, make_pair
from liif.zoo import resolve_model_path


def test_default_model_is_bundled_with_a_card():
    assert liif.DEFAULT_MODEL in liif.list_models()
    model = liif.create_model()  # no name: the default
    assert model.encoder.out_dim == 64 and isinstance(model, liif.LMLIIF)  # the fast family (its model card)
    card = read_card(resolve_model_path(None))
    assert card["step"] > 0 and card["config"]["train_dirs"]


@pytest.mark.parametrize("name", liif.list_models())
def test_every_bundled_model_has_a_card_and_loads_by_name(name):
    card = read_card(resolve_model_path(name))
    assert card["step"] > 0 and card["config"]["train_dirs"] and card["train_seconds"] > 0
    family = card["config"]["model"].get("family", "liif")
    assert type(liif.create_model(name)).__name__ == {"liif": "LIIF", "lmliif": "LMLIIF"}[family]


@pytest.mark.parametrize("name", liif.list_models())
@pytest.mark.parametrize("scale", [2, 4, 6])
def test_bundled_models_beat_bicubic(name, scale):
    """Standard protocol on a photo the models never saw (scikit-image's astronaut, a 240x240 crop)."""
    hr, lr = make_pair(data.astronaut()[40:280, 140:380], scale)
    model = liif.create_model(name)
    sr = liif_upscale(model, lr, hr.shape[:2])
    bic = bicubic_upscale(lr, hr.shape[:2])
    assert psnr_y(sr, hr, scale) > psnr_y(bic, hr, scale) + 0.3
