"""studio.models and studio.settings: the model list from liif, one cache, limits from the environment."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

import liif
from studio import models, settings


@pytest.fixture()
def folder(tmp_path, tiny_model):
    liif.save_checkpoint(tiny_model, tmp_path / "mine.safetensors")
    (tmp_path / "notes.txt").write_text("not a model")
    return tmp_path


def test_choices_list_every_bundled_model_then_the_folder(folder):
    choices = models.model_choices(folder)
    assert choices == [f"{n} (bundled)" for n in liif.list_models()] + ["mine.safetensors (models folder)"]
    expected = (settings.DEFAULT_MODEL + " (bundled)" if settings.DEFAULT_MODEL in liif.list_models()
                else choices[0])
    assert models.default_choice(choices) == expected
    assert models.default_choice([]) is None


def test_the_dropdown_opens_on_auto_which_follows_the_input(folder, tmp_path):
    from skimage import data

    choices = models.dropdown_choices(folder)
    assert choices == [models.AUTO_CHOICE, *models.model_choices(folder)]
    assert models.default_choice(choices) == models.AUTO_CHOICE
    photo = data.coffee()[:160, :200]
    assert models.auto_source(photo) == (settings.DEFAULT_MODEL, "the input looks clean")
    jpeg = tmp_path / "upload.jpg"
    Image.fromarray(photo).save(jpeg, quality=45)
    name, why = models.auto_source(str(jpeg))
    assert why.startswith("JPEG quality about 45")
    assert name == ("edsr-baseline-lmliif-real" if "edsr-baseline-lmliif-real" in liif.list_models()
                    else settings.DEFAULT_MODEL)
    assert models.auto_source(None) == (settings.DEFAULT_MODEL, "a clean input made here")


def test_the_demos_default_is_the_fast_family_and_keeps_liifs_quality():
    """The demo preselects the bundled LM-LIIF, which must stay close to the bundled LIIF on an unseen photo."""
    from skimage import data

    from liif.evaluate import liif_upscale, make_pair
    from liif.metrics import psnr_y

    assert settings.DEFAULT_MODEL in liif.list_models()
    fast = liif.create_model(settings.DEFAULT_MODEL)
    assert type(fast).__name__ == "LMLIIF"
    hr, lr = make_pair(data.astronaut()[40:280, 140:380], 4)
    gap = psnr_y(liif_upscale(liif.create_model("edsr-baseline-liif"), lr, hr.shape[:2]), hr, 4) - psnr_y(
        liif_upscale(fast, lr, hr.shape[:2]), hr, 4)
    assert gap < 0.15


def test_sources_and_names(folder):
    assert models.model_source("mine.safetensors (models folder)", "", folder, True) == str(folder / "mine.safetensors")
    assert models.model_source("x (bundled)", None, folder, True) == "x"
    assert models.model_source(None, " ~/m.pth ", folder, True) == str(Path("~/m.pth").expanduser())
    with pytest.raises(models.ModelChoiceError, match="disabled on this server"):
        models.model_source(None, "/m.pth", folder, False)
    with pytest.raises(models.ModelChoiceError, match="Refresh models"):
        models.model_source("something else", "", folder, True)
    assert models.describe(str(folder / "mine.safetensors")) == "mine.safetensors"
    for name in liif.list_models():
        assert models.describe(name) == f"{name} (bundled)"


def test_one_cache_reloads_a_replaced_file(folder, tiny_model):
    path = str(folder / "mine.safetensors")
    first = models.get_upscaler(path, "exact", 4)
    assert models.get_upscaler(path, "exact", 4) is first
    liif.save_checkpoint(tiny_model, folder / "mine.safetensors", overwrite=True)
    import os

    os.utime(path, ns=(1, 1))  # a different modification time: a new file
    assert models.get_upscaler(path, "exact", 4) is not first


def test_status_line_says_what_to_do_without_models(tmp_path, monkeypatch):
    monkeypatch.setattr(liif, "list_models", list)
    line = models.status_line(tmp_path, True)
    assert "No model is installed" in line and "give its path" in line


def test_settings_from_the_environment(tmp_path):
    local = settings.from_env({})
    assert (local.max_input_mp, local.max_output_mp, local.allow_paths, local.prefetch) == (1.0, 4.0, True, "none")
    space = settings.from_env({"SPACE_ID": "me/liif", "LIIF_MAX_UPLOAD_MB": "8", "LIIF_MODELS_DIR": str(tmp_path)})
    assert (space.max_output_mp, space.allow_paths, space.prefetch) == (2.0, False, "all")  # a Space fetches
    assert space.max_file_size == "8mb" and space.models_dir == tmp_path
    assert settings.from_env({"LIIF_MAX_INPUT_MEGAPIXELS": "oops"}).max_input_mp == 1.0


def test_largest_scale_and_the_output_message():
    assert settings.max_scale((160, 160), 4) == 8.0
    assert settings.max_scale((800, 600), 4) == 2.8
    assert settings.output_limit_message((800, 600), (3200, 2400), 8) is None
    message = settings.output_limit_message((800, 600), (4800, 3600), 4)
    assert "4800x3600" in message and "up to x2.8" in message and "max_output" not in message


def test_precisions_offered_follow_the_measured_choice(monkeypatch):
    import liif.precision

    for forced, offered in (("bf16", ["bf16", "exact"]), ("exact", ["exact"])):
        monkeypatch.setenv(liif.precision.ENV_PRECISION, forced)  # what the probe would have measured
        assert settings.precision_choices() == offered + [settings.ENSEMBLE_MODE]
        assert forced in settings.precision_hint()
    monkeypatch.delenv(liif.precision.ENV_PRECISION)
    measured = settings.measured_precision()  # this machine's own answer (cached in the user cache)
    assert settings.precision_choices()[0] == measured.precision
    assert "measured" in measured.reason or "no working bf16" in measured.reason


def test_the_self_ensemble_mode_is_exact_with_eight_renders(tmp_path):
    import liif

    torch.manual_seed(0)
    path = liif.save_checkpoint(liif.create_model(liif.ModelConfig.tiny()), tmp_path / "tiny.safetensors")
    up = models.get_upscaler(str(path), settings.ENSEMBLE_MODE, 4)
    assert (up.config.precision, up.config.ensemble) == ("exact", 8)
    assert models.get_upscaler(str(path), "exact", 4).config.ensemble == 1


def test_back_projection_gets_its_own_cached_upscaler(tmp_path):
    torch.manual_seed(0)
    path = str(liif.save_checkpoint(liif.create_model(liif.ModelConfig.tiny()), tmp_path / "tiny.safetensors"))
    plain, bp = models.get_upscaler(path, "exact", 4), models.get_upscaler(path, "exact", 4, backproject=3)
    assert (plain.config.backproject, bp.config.backproject) == (0, 3)
    assert models.get_upscaler(path, "exact", 4, backproject=3) is bp


def test_warm_up_fills_the_cache_that_the_first_request_uses(tmp_path):
    torch.manual_seed(0)
    path = str(liif.save_checkpoint(liif.create_model(liif.ModelConfig.tiny()), tmp_path / "warm.safetensors"))
    thread = models.start_warm_up(path, "exact", 4)
    thread.join(timeout=120)
    hits = models._upscaler.cache_info().hits
    models.get_upscaler(path, "exact", 4)
    assert models._upscaler.cache_info().hits == hits + 1  # the request found the warmed upscaler


def test_a_failed_warm_up_is_logged_not_raised(tmp_path, caplog):
    assert models.warm_up(str(tmp_path / "missing.safetensors"), "exact", 4) is False
    assert "warm-up of" in caplog.text and "missing.safetensors" in caplog.text
