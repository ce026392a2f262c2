"""Sizes keep their shape: --size fits inside a box, --stretch forces it (and says so), one side may be open."""
from __future__ import annotations

import pytest
from PIL import Image

import liif
from liif.cli import main
from liif.sizes import parse_size_request, stretch_note


@pytest.mark.parametrize(("request_", "stretch", "want"), [
    ((1920, 1080), False, (1080, 1080)),  # a square in a 16:9 box: as tall as the box
    ((1920, 1080), True, (1920, 1080)),
    ((1920, None), False, (1920, 1920)),
    ((None, 1080), False, (1080, 1080)),
    ((1920, None), True, (1920, 1920)),  # nothing to stretch with one side open
])
def test_fit_size_of_a_square(request_, stretch, want):
    assert liif.fit_size(500, 500, *request_, stretch=stretch) == want


def test_fit_size_keeps_the_shape_within_a_pixel_and_never_leaves_the_box():
    for w, h in [(4032, 3024), (3024, 4032), (97, 13), (1, 1000)]:
        for bw, bh in [(1920, 1080), (800, 800), (7, 3000)]:
            ow, oh = liif.fit_size(w, h, bw, bh)
            assert ow <= bw and oh <= bh and (ow == bw or oh == bh)
            assert abs(oh - h * ow / w) <= 1 or abs(ow - w * oh / h) <= 1  # one factor, up to a pixel's rounding
            assert stretch_note((w, h), (ow, oh)) is None


def test_fit_size_refuses_what_is_not_a_size():
    with pytest.raises(liif.InputError, match="give a width, a height or both"):
        liif.fit_size(10, 10, None, None)
    with pytest.raises(liif.InputError, match="at least 1"):
        liif.fit_size(10, 10, 0, 5)


def test_parse_size_request():
    assert parse_size_request("1920x1080") == (1920, 1080)
    assert parse_size_request("1920x") == (1920, None)
    assert parse_size_request("X1080") == (None, 1080)
    for bad in ("x", "1920", "axb", "0x10", "-5x10"):
        with pytest.raises(ValueError):
            parse_size_request(bad)


def test_stretch_note_names_both_factors():
    assert stretch_note((100, 100), (281, 500)) == "stretched: width x2.81, height x5 (the shape changes)"
    assert stretch_note((96, 80), (240, 200)) is None


@pytest.fixture()
def square(tmp_path, photo):
    path = tmp_path / "square.png"
    Image.fromarray(photo[:80, :80]).save(path)
    return path


@pytest.fixture()
def model_path(tiny_model, tmp_path):
    return liif.save_checkpoint(tiny_model, tmp_path / "tiny.safetensors")


@pytest.mark.parametrize(("size", "extra", "want"), [
    ("200x120", [], (120, 120)), ("200x", [], (200, 200)), ("x120", [], (120, 120)), ("200x120", ["--stretch"],
                                                                                        (200, 120)),
])
def test_cli_size_keeps_the_shape_unless_stretched(square, model_path, tmp_path, capsys, size, extra, want):
    dst = tmp_path / "out.png"
    assert main(["upscale", str(square), "-o", str(dst), "--size", size, *extra, "--model", str(model_path),
                 "--precision", "exact", "-q"]) == 0
    assert Image.open(dst).size == want
    assert ("stretched" in capsys.readouterr().out) == bool(extra)


def test_cli_bad_size_is_one_line(square, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["upscale", str(square), "-o", str(tmp_path / "o.png"), "--size", "wide"])
    assert stop.value.code == 2 and "1920x or x1080" in capsys.readouterr().err


def test_api_size_fits_and_stretches(square, tiny_model):
    assert liif.upscale(square, size=(200, 120), model=tiny_model, precision="exact").size == (120, 120)
    assert liif.upscale(square, size=(200, 120), stretch=True, model=tiny_model, precision="exact").size == (200, 120)
    assert liif.upscale(Image.open(square), size=(None, 100), model=tiny_model, precision="exact").size == (100, 100)


def test_batch_worker_fits_the_size_and_recognises_its_own_output(square, tiny_model, tmp_path):
    from liif.batch import Job, Worker, existing_output

    job = Job(size=(200, 120), model=tiny_model, precision="exact")
    row = Worker(job).process(square, tmp_path / "out.png")
    assert row["status"] == "done" and (row["out_width"], row["out_height"]) == (120, 120), row
    assert existing_output(square, tmp_path / "out.png", job)["status"] == "skipped"
    with pytest.raises(liif.InputError, match="not the 200x120"):  # a stretched run would make another size
        existing_output(square, tmp_path / "out.png", Job(size=(200, 120), stretch=True, model=tiny_model))
