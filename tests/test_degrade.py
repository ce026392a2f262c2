"""Degradations of the low-resolution input (liif.degrade): each step does what it says, reproducibly."""
from __future__ import annotations

import io
import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

import liif
from liif import degrade
from liif.data import PatchSampler


@pytest.fixture(scope="module")
def grey() -> np.ndarray:
    return np.full((64, 64, 3), 128, np.uint8)


def test_the_jpeg_step_decodes_to_what_pil_writes_at_that_quality(photo):
    for quality, sub in [(30, 2), (75, 0), (95, 1)]:
        buf = io.BytesIO()
        Image.fromarray(photo).save(buf, "JPEG", quality=quality, subsampling=sub)
        expected = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        assert np.array_equal(degrade.jpeg(photo, quality, sub), expected)
    assert np.abs(degrade.jpeg(photo, 30).astype(int) - photo).mean() > np.abs(
        degrade.jpeg(photo, 95).astype(int) - photo).mean()


def test_gaussian_noise_has_its_sigma_and_luma_noise_is_grey(grey):
    rng = np.random.default_rng(0)
    noisy = degrade.gaussian_noise(grey, 8.0, rng).astype(float) - 128
    assert noisy.std() == pytest.approx(8.0, rel=0.05) and abs(noisy.mean()) < 0.3
    luma = degrade.gaussian_noise(grey, 8.0, rng, luma_only=True)
    assert np.array_equal(luma[..., 0], luma[..., 1]) and np.array_equal(luma[..., 0], luma[..., 2])
    assert luma.std() > 5


def test_poisson_noise_grows_with_brightness():
    rng = np.random.default_rng(0)
    dark, bright = np.full((64, 64, 3), 20, np.uint8), np.full((64, 64, 3), 200, np.uint8)
    assert (degrade.poisson_noise(bright, 0.3, rng).std()) > 2.5 * degrade.poisson_noise(dark, 0.3, rng).std()


def test_blur_smooths_and_keeps_the_mean(photo):
    assert degrade.gaussian_blur(photo, 0) is photo
    soft = degrade.gaussian_blur(photo, 1.5).astype(float)
    detail = np.abs(np.diff(photo.astype(float), axis=1)).mean()
    assert np.abs(np.diff(soft, axis=1)).mean() < 0.6 * detail
    assert soft.mean() == pytest.approx(photo.mean(), abs=1)


def test_the_real_recipe_is_reproducible_and_leaves_a_share_clean(photo):
    recipe = degrade.RealDegradation()
    first = [recipe(photo, np.random.default_rng(s)) for s in range(60)]
    again = [recipe(photo, np.random.default_rng(s)) for s in range(60)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    unchanged = sum(np.array_equal(x, photo) for x in first)
    assert 3 <= unchanged <= 25  # the clean share (15%), plus chains that drew no step
    assert all(x.shape == photo.shape and x.dtype == np.uint8 for x in first)
    always = replace(recipe, clean_share=0, blur_prob=1, noise_prob=1, jpeg_prob=1)
    assert not np.array_equal(always(photo, np.random.default_rng(0)), photo)


def test_named_conditions_for_evaluation(photo):
    assert np.array_equal(degrade.named("jpeg75")(photo), degrade.jpeg(photo, 75))
    assert np.array_equal(degrade.named("noise5")(photo), degrade.named("noise5")(photo))  # seeded
    assert degrade.named("clean")(photo) is photo
    with pytest.raises(liif.InputError, match="jpeg75"):
        degrade.named("blurry")


def test_the_sampler_degrades_the_input_and_keeps_the_clean_target(tmp_path, photo):
    Image.fromarray(np.tile(photo, (2, 2, 1))).save(tmp_path / "a.png")
    files = liif.data.find_images([tmp_path])
    clean = PatchSampler(files, 16, 2, 2, 64).sample(4, np.random.default_rng(1))
    spoiled = PatchSampler(files, 16, 2, 2, 64, degrade=lambda x, rng: degrade.jpeg(x, 30)).sample(
        4, np.random.default_rng(1))
    assert torch.equal(clean.gt, spoiled.gt) and torch.equal(clean.coord, spoiled.coord)
    assert not torch.equal(clean.inp, spoiled.inp)
    assert (clean.inp - spoiled.inp).abs().mean() < 0.1  # JPEG of the same patch, not another patch


def test_train_config_refuses_unknown_recipes():
    from liif.train import TrainConfig

    assert TrainConfig(degrade="real", val_degrade="jpeg75").degrade == "real"
    with pytest.raises(liif.InputError, match="real"):
        TrainConfig(degrade="everything")
    with pytest.raises(liif.InputError, match="unknown degradation"):
        TrainConfig(val_degrade="smudged")


def test_eval_scores_both_methods_on_the_same_degraded_input(tmp_path, photo, tiny_model):
    from liif.evaluate import evaluate_folder

    Image.fromarray(np.tile(photo, (2, 2, 1))).save(tmp_path / "a.png")
    clean, = evaluate_folder(tiny_model, tmp_path, [4])
    spoiled, = evaluate_folder(tiny_model, tmp_path, [4], degrade="jpeg30")
    assert "input" not in clean and spoiled["input"] == "jpeg30"
    assert spoiled["bicubic_psnr"] < clean["bicubic_psnr"] - 0.3


def test_a_runs_recipe_fields_live_in_its_config(tmp_path, capsys):
    from liif.cli import main
    from liif.train import TrainConfig

    cfg = TrainConfig(degrade="real", degrade_args={"clean_share": 0.4, "blur_sigma": [0.2, 1.0]})
    recipe = TrainConfig.from_dict(json.loads(json.dumps(cfg.__dict__))).recipe()  # as saved and read back
    assert recipe.clean_share == 0.4 and recipe.blur_sigma == (0.2, 1.0) and recipe.jpeg_quality == (30, 95)
    assert TrainConfig().recipe() is None
    with pytest.raises(liif.InputError, match="unexpected keyword argument 'sharpness'"):
        TrainConfig(degrade="real", degrade_args={"sharpness": 1})
    with pytest.raises(liif.InputError, match="give the recipe too"):
        TrainConfig(degrade_args={"clean_share": 0.4})
    assert main(["train", "--run-dir", str(tmp_path), "--degrade", "real", "--degrade-args", "{clean: 1}"]) == 2
    assert "--degrade-args takes JSON" in capsys.readouterr().err
