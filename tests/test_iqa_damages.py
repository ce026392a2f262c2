"""Issue 35's damages do what their names say, the same way every run."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from iqa.validity import ALTERATIONS
from iqa.validity import damages as dmg
from liif.metrics import psnr_y


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return np.ascontiguousarray(data.astronaut()[100:260, 150:310])  # 160x160 with face, hair and edges


def _luma(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def test_every_damage_keeps_shape_and_type_repeats_exactly_and_changes_the_picture(image):
    low = image[::4, ::4]
    keys = [a.key for a in dmg.TRANSFER_DAMAGES]
    assert len(set(keys)) == len(keys) and not set(keys) & {a.key for a in ALTERATIONS}
    for a in dmg.TRANSFER_DAMAGES:
        out = a.make(image, low)
        assert out.shape == image.shape and out.dtype == np.uint8, a.key
        np.testing.assert_array_equal(out, a.make(image, low))  # seeded
        assert np.any(out != image, axis=2).mean() >= 0.001, a.key  # the sparsest, stuck pixels, changes 0.2%
        assert a.reasons, a.key


def test_impulse_sets_the_share_asked_to_black_and_white(image):
    out = dmg.impulse(image, share=0.003)
    changed = np.any(out != image, axis=2)
    n = image.shape[0] * image.shape[1]
    assert abs(changed.sum() - 0.006 * n) <= 0.002 * n  # a pixel already black or white may not change
    assert np.all((out[changed] == 0).all(axis=1) | (out[changed] == 255).all(axis=1))


def test_hot_pixels_saturate_one_channel_and_dead_ones_go_black(image):
    out = dmg.dead_and_hot(image, share=0.002)
    diff = np.any(out != image, axis=2)
    black = (out == 0).all(axis=2) & diff
    hot = diff & ~black
    assert black.sum() > 0 and hot.sum() > 0
    assert np.all((out[hot] == 255).sum(axis=1) >= 1)


def test_chroma_damages_keep_luma_and_move_colour(image):
    for fn in (dmg.chroma_bleed, dmg.chroma_shift):
        out = fn(image)
        assert np.abs(_luma(out) - _luma(image)).mean() < 1.0, fn.__name__  # YCrCb round trip only
        assert np.abs(out.astype(int) - image).max() > 10, fn.__name__


def test_vignetting_darkens_the_corners_not_the_centre(image):
    out = dmg.vignetting(image).astype(int)
    h, w = image.shape[:2]
    assert abs(out[h // 2, w // 2] - image[h // 2, w // 2].astype(int)).max() <= 1
    assert out[0, 0].sum() < 0.7 * image[0, 0].astype(int).sum()


def test_local_tone_brightens_the_upper_left_only(image):
    out = dmg.local_tone(image).astype(int) - image
    h, w = image.shape[:2]
    assert out[int(h * 0.35), int(w * 0.35)].min() >= 20
    assert np.abs(out[-10:, -10:]).max() == 0


def test_ringing_and_aliasing_cost_luma_fidelity(image):
    for fn in (dmg.ringing, dmg.aliasing):
        assert psnr_y(fn(image), image) < 35, fn.__name__
