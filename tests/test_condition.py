"""liif.inspect: the JPEG quality (from the file's tables, or from the pixels) and the noise; --model auto."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import liif
from liif.condition import (
    BILEVEL,
    COMPRESSED_BELOW,
    KIND_CHOICE,
    NOISY_SIGMA,
    PALETTE,
    PHOTO,
    REAL_INPUT_BELOW,
    REAL_INPUT_MODEL,
    choose_model,
    inspect,
)
from liif.degrade import gaussian_noise, jpeg
from liif.evaluate import make_pair
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
    assert report.compressed == (quality < COMPRESSED_BELOW)
    chosen = choose_model(report, [DEFAULT_MODEL, REAL_INPUT_MODEL], DEFAULT_MODEL)[0]
    assert chosen == (REAL_INPUT_MODEL if quality < REAL_INPUT_BELOW else DEFAULT_MODEL)  # q90 too; q95 is clean


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
    """Every clean example, whole."""
    report = inspect(EXAMPLES / name)
    assert report.jpeg_quality is None and not report.compressed and not report.noisy


@pytest.mark.parametrize("sigma", [5.0, 10.0])
def test_the_noise_estimate_finds_added_noise(coffee, sigma):
    noisy = gaussian_noise(coffee, sigma, np.random.default_rng(0))
    assert inspect(noisy).noise_sigma == pytest.approx(sigma, rel=0.25) and inspect(noisy).noisy
    luma_only = gaussian_noise(coffee, sigma, np.random.default_rng(0), luma_only=True)
    assert inspect(luma_only).noise_sigma == pytest.approx(sigma, rel=0.25)


@pytest.fixture(scope="module")
def gravel() -> np.ndarray:
    """A clean photo that is texture wall to wall (scikit-image's gravel), halved as the benchmark sets are."""
    from skimage import data

    return make_pair(np.repeat(data.gravel()[..., None], 3, axis=2), 2)[1]


def test_texture_is_not_taken_for_noise(gravel):
    """Gravel at 256 px has no flat area: Immerkaer's flattest-30% estimate read it as 5.9 grey levels of noise."""
    report = inspect(gravel)
    assert report.noise_sigma < 1.0 and not report.noisy and report.kind == PHOTO
    assert choose_model(report, [DEFAULT_MODEL, REAL_INPUT_MODEL], DEFAULT_MODEL)[0] == DEFAULT_MODEL


@pytest.mark.parametrize("sigma", [2.0, 3.5, 7.0])
def test_noise_on_texture_is_measured(gravel, sigma):
    """Noise added to the textured photo is found at its level (the texture adds little to the estimate); light
    noise (sigma 2, where the clean-trained model renders better) is not called noisy."""
    noisy = inspect(gaussian_noise(gravel, sigma, np.random.default_rng(3)))
    assert noisy.noise_sigma == pytest.approx(sigma, rel=0.2) and noisy.noisy == (sigma > NOISY_SIGMA)


def test_bilevel_and_palette_files_are_named_and_not_called_noisy(tmp_path, coffee):
    """A 1-bit scan and a palette PNG: their jagged edges and dithering are not noise; auto says what it saw."""
    installed = [DEFAULT_MODEL, REAL_INPUT_MODEL]
    one_bit, pal = tmp_path / "scan.png", tmp_path / "pal.png"
    Image.fromarray(coffee).convert("1").save(one_bit)  # Floyd-Steinberg dithered, as scanners and PIL make them
    Image.fromarray(coffee).quantize(256).save(pal)
    for path, kind, words in ((one_bit, BILEVEL, "bilevel"), (pal, PALETTE, "palette")):
        report = inspect(path)
        assert report.kind == kind and not report.noisy and words in report.describe()
        name, why = choose_model(report, installed, DEFAULT_MODEL)
        assert name == (REAL_INPUT_MODEL if KIND_CHOICE[kind] == "real" else DEFAULT_MODEL) and words in why


def test_bilevel_and_palette_arrays_are_found_from_their_colours(coffee):
    """Without a file's mode: two levels are bilevel, a colour image of at most 256 colours is palette, a grey
    photo (256 levels at most, always) stays a photo."""
    two = np.where(coffee > 128, 255, 0).astype(np.uint8)
    assert inspect(two[..., :1].repeat(3, axis=2)).kind == BILEVEL
    few = np.asarray(Image.fromarray(coffee).quantize(64, dither=Image.Dither.NONE).convert("RGB"))
    assert inspect(few).kind == PALETTE
    grey = np.asarray(Image.fromarray(coffee).convert("L"))
    assert inspect(grey).kind == PHOTO and inspect(coffee).kind == PHOTO
    small = coffee[20:36, 30:46]  # 256 pixels: under 256 colours by construction, yet a photo
    assert len(np.unique(small.reshape(-1, 3), axis=0)) <= 256 and inspect(small).kind == PHOTO


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
    assert f"[{name}: {why}]" in capsys.readouterr().out and "quality about 40" in why
    assert main(["upscale", str(src), "-o", str(tmp_path / "pinned.png"), "--scale", "2", "-q", "--model",
                 DEFAULT_MODEL]) == 0
    assert f"[{DEFAULT_MODEL}:" not in capsys.readouterr().out  # a pinned model needs no reason


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
