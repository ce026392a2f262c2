"""liif.inspect: the JPEG quality (from the file's tables, or from the pixels) and the noise; --model auto."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import liif
from liif.condition import REAL_INPUT_MODEL, choose_model, inspect
from liif.degrade import gaussian_noise, jpeg
from liif.imageio import load_rgb_array
from liif.zoo import DEFAULT_MODEL

EXAMPLES = liif.zoo.WEIGHTS_DIR.parents[1] / "examples"


@pytest.fixture(scope="module")
def coffee() -> np.ndarray:
    return load_rgb_array(EXAMPLES / "coffee.png")


@pytest.mark.parametrize("quality", [20, 50, 60, 75, 90, 95])
def test_a_jpeg_files_quality_is_read_from_its_quantisation_tables(tmp_path, coffee, quality):
    path = tmp_path / "q.jpg"
    Image.fromarray(coffee).save(path, quality=quality)
    report = inspect(path)
    assert (report.format, report.jpeg_quality, report.quality_source) == ("JPEG", quality, "quantisation tables")
    assert report.compressed == (quality < 90)


@pytest.mark.parametrize("quality", [30, 50, 75])
def test_a_jpeg_resaved_as_png_is_still_found_from_its_block_grid(tmp_path, coffee, quality):
    path = tmp_path / "resaved.png"
    Image.fromarray(jpeg(coffee, quality)).save(path)
    report = inspect(path)
    assert report.format == "PNG" and report.quality_source == "block grid"
    assert abs(report.jpeg_quality - quality) <= 5 and report.compressed
    assert report.blockiness > inspect(coffee).blockiness  # the grid shows in the steps too


@pytest.mark.parametrize("name", ["astronaut.png", "chelsea.png", "coffee.png", "rocket.png"])
def test_a_clean_photo_is_not_taken_for_a_jpeg_or_noisy(name):
    """Every clean example; a small crop of pure texture (hair, fur) can read as noise: inspect whole photos."""
    report = inspect(EXAMPLES / name)
    assert report.jpeg_quality is None and not report.compressed and not report.noisy


@pytest.mark.parametrize("sigma", [5.0, 10.0])
def test_the_noise_estimate_finds_added_noise(coffee, sigma):
    noisy = gaussian_noise(coffee, sigma, np.random.default_rng(0))
    assert inspect(noisy).noise_sigma == pytest.approx(sigma, rel=0.25) and inspect(noisy).noisy
    luma_only = gaussian_noise(coffee, sigma, np.random.default_rng(0), luma_only=True)
    assert inspect(luma_only).noise_sigma == pytest.approx(sigma, rel=0.25)


def test_auto_picks_the_real_input_model_for_marked_inputs_and_says_why(coffee):
    clean, spoiled = inspect(coffee), inspect(jpeg(coffee, 50))
    installed = [DEFAULT_MODEL, REAL_INPUT_MODEL]
    assert choose_model(clean, installed, DEFAULT_MODEL) == (DEFAULT_MODEL, "the input looks clean")
    assert choose_model(spoiled, installed, DEFAULT_MODEL) == (REAL_INPUT_MODEL, "JPEG quality about 50")
    noisy = inspect(gaussian_noise(coffee, 8, np.random.default_rng(1)))
    assert choose_model(noisy, installed, DEFAULT_MODEL)[1].startswith("noise about ")
    name, why = choose_model(spoiled, [DEFAULT_MODEL], DEFAULT_MODEL)
    assert name == DEFAULT_MODEL and why == f"JPEG quality about 50, but {REAL_INPUT_MODEL} is not installed"


def test_the_cli_says_which_model_auto_chose(tmp_path, coffee, capsys):
    from liif.cli import main

    src = tmp_path / "small.jpg"
    Image.fromarray(coffee[:48, :64]).save(src, quality=40)
    assert main(["upscale", str(src), "-o", str(tmp_path / "out.png"), "--scale", "2", "-q"]) == 0
    name, why = choose_model(inspect(src), liif.list_models(), DEFAULT_MODEL)
    assert capsys.readouterr().out.rstrip().endswith(f"[{name}: {why}]") and "quality about 40" in why
    assert main(["upscale", str(src), "-o", str(tmp_path / "pinned.png"), "--scale", "2", "-q", "--model",
                 DEFAULT_MODEL]) == 0
    assert "[" not in capsys.readouterr().out  # a pinned model needs no reason


def test_the_api_defaults_to_auto(tmp_path, coffee):
    src = tmp_path / "small.jpg"
    Image.fromarray(coffee[:32, :40]).save(src, quality=40)
    out = liif.upscale(src, scale=2)
    expected = liif.upscale(src, scale=2, model=choose_model(inspect(src), liif.list_models(), DEFAULT_MODEL)[0])
    assert out.size == (80, 64) and np.array_equal(np.asarray(out), np.asarray(expected))


def test_inspecting_a_file_with_its_decoded_pixels_reads_it_once(tmp_path, monkeypatch):
    """The caller's decoded image and the file's header give the report the file alone gives."""
    from PIL import Image
    from skimage import data

    import liif
    from liif import condition

    path = tmp_path / "q50.jpg"
    Image.fromarray(data.astronaut()[:128, :128]).save(path, quality=50)
    alone = liif.inspect(path)
    pixels = liif.load_image(path)
    monkeypatch.setattr(condition, "load_rgb_array", lambda *_: (_ for _ in ()).throw(AssertionError("decoded twice")))
    assert liif.inspect(path, pixels=pixels) == alone and alone.jpeg_quality == 50
